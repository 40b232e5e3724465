#pragma once

// The fault-injection seam of the writer (STYLE.md, "Fault-injecting wrappers"): consulted on
// the writer's thread as each transaction commits. A non-ok Status turns that commit into a
// rollback through SQLite's own commit hook, so the writer's real commit-failure path runs:
// every operation of the batch is completed with the error. Production passes none.

#include "base/status.h"

namespace labsweep::store {

class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // Called while the writer holds the write lock, before the commit is durable. Must not use
  // the writer; may read through a StoreReader (which still sees the state before the commit).
  virtual Status before_commit() = 0;
};

}  // namespace labsweep::store
