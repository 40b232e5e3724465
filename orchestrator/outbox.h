#pragma once

// Where the orchestrator's core sends messages to agents: the ZeroMQ ROUTER in the server
// (orchestrator/agent_link.h), a recording fake in tests. Called on the loop thread only.

#include "orchestrator/peer_id.h"
#include "protocol/messages.h"

namespace labsweep::orchestrator {

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Queues `message` for `peer`; a peer that is gone drops it (delivery is the protocol's job).
  virtual void send(const PeerId& peer, const protocol::Message& message) = 0;
};

}  // namespace labsweep::orchestrator
