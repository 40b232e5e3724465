#pragma once

// The agent's data messages on their way to the orchestrator (docs/agent.md, "Outbox";
// docs/protocol.md, "Delivery"). Each message gets the next sequence number and stays until an
// Ack covers it (acks are cumulative). Up to a memory bound the messages are kept in memory;
// beyond it they are spilled to a file in the state directory and come back in order as acks
// make room, so a long absence of the orchestrator costs disk, not memory. Sequence numbers
// keep increasing across agent restarts. Not thread-safe.

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "agent/spill_file.h"
#include "base/status.h"
#include "protocol/messages.h"

namespace labsweep::agent {

class Outbox {
 public:
  // Opens the outbox whose spill file and sequence mark live in `state_dir` (created if
  // missing). Messages an earlier run spilled and never had acknowledged are queued first.
  static Result<std::unique_ptr<Outbox>> open(const std::filesystem::path& state_dir,
                                              size_t memory_limit_bytes = 64 << 20);

  // Queues a Metrics, TrialStarted or TrialEnded message under the next sequence number, which
  // it returns (and writes into the message). Other messages carry no sequence number and
  // abort here.
  uint64_t add(protocol::Message message);

  // Drops every message with a sequence number up to `seq`.
  void ack(uint64_t seq);

  // Hands each message not yet sent since the last rewind() to `send`, oldest first, until
  // `send` returns false (the transport is full; that message is offered again next time).
  void send_pending(const std::function<bool(std::string_view frame)>& send);

  // After a reconnect: every unacknowledged message is to be sent again.
  void rewind() { sent_ = 0; }

  size_t unacked() const { return memory_.size() + spill_->unread(); }
  size_t spilled() const { return spill_->unread(); }
  size_t memory_bytes() const { return memory_bytes_; }
  uint64_t last_seq() const { return next_seq_ - 1; }

 private:
  struct Entry {
    uint64_t seq;
    std::string frame;
  };
  Outbox(std::filesystem::path state_dir, size_t memory_limit, std::unique_ptr<SpillFile> spill)
      : state_dir_(std::move(state_dir)), memory_limit_(memory_limit), spill_(std::move(spill)) {}
  Status start_sequence();
  uint64_t take_seq();
  void refill();

  std::filesystem::path state_dir_;
  size_t memory_limit_;
  std::unique_ptr<SpillFile> spill_;
  std::deque<Entry> memory_;  // older than everything in the spill file
  size_t memory_bytes_ = 0;
  size_t sent_ = 0;  // how many of memory_'s first entries went out since the last rewind
  uint64_t next_seq_ = 1;
  uint64_t reserved_seq_ = 0;  // the mark on disk: no earlier run handed out more
};

}  // namespace labsweep::agent
