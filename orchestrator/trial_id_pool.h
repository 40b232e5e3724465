#pragma once

// Trial ids reserved in the store (store::ReserveTrialIds), handed out by the orchestrator so
// that a new trial's Assign goes out at once, its row written behind it, instead of after that
// row's commit. An id from a reservation is never given to another trial, even after a crash
// that lost the row; an agent still running such a trial is told to stop it when it comes back.
//
// A spare block is asked for as soon as the one in use is started, a whole block ahead of need
// (at hundreds of trials a second, a loaded machine can take a second to commit); while none is
// at hand the
// caller falls back to having the store pick the id at commit.

#include <cstdint>
#include <optional>

#include "store/ids.h"

namespace labsweep::orchestrator {

class TrialIdPool {
 public:
  static constexpr int64_t kBlock = 1024;

  // The next id, if one is at hand.
  std::optional<store::TrialId> take();
  // Whether a block should be asked for now: no spare, and none asked for already.
  bool wants_block() const;
  // A block asked for; until `add_block` or `block_failed`, no other is asked for.
  void asked() { asking_ = true; }
  void add_block(store::TrialId first, int64_t count);
  void block_failed() { asking_ = false; }

  int64_t available() const { return (end_ - next_) + (spare_end_ - spare_next_); }
  // The lowest id at hand, from which on none was handed out; none when nothing is at hand.
  std::optional<store::TrialId> first_unused() const;

 private:
  int64_t next_ = 0, end_ = 0;              // the block in use: [next_, end_)
  int64_t spare_next_ = 0, spare_end_ = 0;  // the one after it
  bool asking_ = false;
};

}  // namespace labsweep::orchestrator
