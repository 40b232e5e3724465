#include "orchestrator/ack_tracker.h"

#include <algorithm>

namespace labsweep::orchestrator {

void AckTracker::reset() {
  ++session_;
  acked_ = 0;
  highest_.reset();
  in_flight_.clear();
}

std::optional<AckTracker::Ticket> AckTracker::receive(uint64_t seq) {
  if (highest_ && seq <= *highest_) return std::nullopt;
  highest_ = seq;
  in_flight_.push_back({.seq = seq});
  return Ticket{.session = session_, .seq = seq};
}

std::optional<uint64_t> AckTracker::commit(Ticket ticket) {
  if (ticket.session != session_) return std::nullopt;  // from a connection that is gone
  auto it = std::find_if(in_flight_.begin(), in_flight_.end(),
                         [&](const InFlight& f) { return f.seq == ticket.seq; });
  if (it == in_flight_.end()) return std::nullopt;
  it->committed = true;
  uint64_t before = acked_;
  while (!in_flight_.empty() && in_flight_.front().committed) {
    acked_ = in_flight_.front().seq;
    in_flight_.pop_front();
  }
  if (acked_ == before) return std::nullopt;
  return acked_;
}

void AckTracker::fail(Ticket ticket) {
  if (ticket.session != session_) return;
  // Everything after the failed message stays unacknowledged too (acks are cumulative); the
  // agent resends it all, and then it must be applied again rather than taken for a resend.
  uint64_t acked = acked_;
  ++session_;
  in_flight_.clear();
  acked_ = acked;
  highest_ = acked > 0 ? std::optional<uint64_t>(acked) : std::nullopt;
}

}  // namespace labsweep::orchestrator
