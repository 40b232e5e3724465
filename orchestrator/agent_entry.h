#pragma once

// One agent in the orchestrator's registry (in memory, on the loop thread).

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "base/clock.h"
#include "orchestrator/ack_tracker.h"
#include "orchestrator/agent_slots.h"
#include "orchestrator/peer_id.h"
#include "store/agent_state.h"
#include "store/ids.h"

namespace labsweep::orchestrator {

struct AgentEntry {
  std::string name{};
  std::string host{};
  std::optional<store::AgentId> id{};  // known once its RecordAgent committed (or from the store)
  PeerId peer{};                       // its current connection
  store::AgentState state = store::AgentState::kOnline;
  AgentSlots slots{};
  std::set<store::TrialId> trials{};  // running on it now
  Clock::TimePoint last_seen{};       // any message counts
  int64_t last_seen_ms = 0;           // the same, on the wall clock
  AckTracker acks{};
  // Bumped when the agent's slots are rebuilt (hello, lost), so that a placement begun before
  // does not release a slot it no longer holds.
  uint64_t generation = 0;
  // A message of this connection failed to commit: the orchestrator goes quiet towards it (no
  // heartbeats, no new trials), so that the agent reconnects, says hello and resends.
  bool resync = false;

  bool online() const { return state == store::AgentState::kOnline; }
};

}  // namespace labsweep::orchestrator
