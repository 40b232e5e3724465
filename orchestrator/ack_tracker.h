#pragma once

// Cumulative acknowledgement of one agent's data messages (docs/orchestrator.md, "Delivery").
// Sequence numbers increase within a connection; the agent resends, in order, whatever was not
// acknowledged. A message is acknowledged only once it and every data message before it from
// that agent are committed, and the ack names the highest such sequence number. A message
// whose number is not above the highest seen in this session is a resend: it is not applied
// again. Loop thread only.

#include <cstdint>
#include <deque>
#include <optional>

namespace labsweep::orchestrator {

class AckTracker {
 public:
  // Identifies one received message until its store operations complete.
  struct Ticket {
    uint64_t session = 0;
    uint64_t seq = 0;
  };

  // A new connection (hello): numbering starts afresh with the next message, and what was in
  // flight for the old one no longer leads to an ack.
  void reset();

  // A data message with `seq` arrived: a ticket when it is new (apply it, then commit() or
  // fail() the ticket), nullopt when it is a resend of one already taken (re-ack acked()).
  std::optional<Ticket> receive(uint64_t seq);

  // The ticket's message is committed (or was refused for good and will never commit): the
  // sequence number to acknowledge now, when the committed prefix grew.
  std::optional<uint64_t> commit(Ticket ticket);

  // The ticket's message could not be committed: nothing beyond acked() is acknowledged, and
  // resends of those messages are taken as new again.
  void fail(Ticket ticket);

  // The highest sequence number acknowledged in this session; 0 before the first.
  uint64_t acked() const { return acked_; }

 private:
  struct InFlight {
    uint64_t seq = 0;
    bool committed = false;
  };

  uint64_t session_ = 0;
  uint64_t acked_ = 0;
  std::optional<uint64_t> highest_;  // the highest sequence number taken in this session
  std::deque<InFlight> in_flight_;   // in arrival (= increasing seq) order
};

}  // namespace labsweep::orchestrator
