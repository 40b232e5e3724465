#pragma once

// The SQL behind every write operation (store/write_ops.h) and the transaction around a batch
// of them: begin, apply each operation in its own savepoint, commit or roll back. The writer's
// thread drives it (store/store_writer.h); it is not thread-safe.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "base/status.h"
#include "store/commit_hook.h"
#include "store/connection.h"
#include "store/statement_cache.h"
#include "store/write_ops.h"

namespace labsweep::store {

class WriteApplier {
 public:
  // `db` must outlive the applier and be at the current schema version; `hook` (may be null)
  // must outlive it too. Installs SQLite's commit hook on `db`.
  WriteApplier(Connection& db, CommitHook* hook);
  ~WriteApplier();
  WriteApplier(const WriteApplier&) = delete;
  WriteApplier& operator=(const WriteApplier&) = delete;

  // Opens the batch's write transaction.
  Status begin();
  // Applies one operation inside the open transaction. A failing operation is rolled back on
  // its own (a savepoint) and the batch goes on, unless SQLite ended the whole transaction, which
  // transaction_lost() then says. Yields the new row's id, the count of new points, or 0.
  Result<int64_t> apply(const WriteOp& op);
  bool transaction_lost() const { return !db_.in_transaction(); }
  // Commits the batch; on failure, nothing of it remains.
  Status commit();
  // Abandons the batch, when it is still open.
  void rollback();

 private:
  template <typename Op>
  Result<int64_t> apply_one(const Op& op);
  Result<int64_t> run(const CreateSweep& op);
  Result<int64_t> run(const SetSweepState& op);
  Result<int64_t> run(const AddTrial& op);
  Result<int64_t> run(const StartTrial& op);
  Result<int64_t> run(const FinishTrial& op);
  Result<int64_t> run(const RequeueTrial& op);
  Result<int64_t> run(const RecordAgent& op);
  Result<int64_t> run(const RecordHeartbeat& op);
  Result<int64_t> run(const SetAgentState& op);
  Result<int64_t> run(const ReserveTrialIds& op);
  Result<int64_t> run(const ReleaseTrialIds& op);
  Status require_reserved(TrialId id);
  Result<int64_t> run(const AddMetricPoints& op);
  Result<int64_t> run(const AddEvent& op);
  Result<int64_t> run(const AppendTrialOutput& op);  // write_trial_output.cc
  Status clear_trial_output(TrialId trial);

  Status exec_cached(std::string_view sql);
  // Runs an UPDATE of one row by id; not_found ("<what> <id> does not exist") when none changed.
  template <typename... Args>
  Status update_row(std::string_view sql, std::string_view what, int64_t id, const Args&... args);
  // not_found ("<what> <id> does not exist") unless `sql` (SELECT 1 ... WHERE id = ?1) has a row.
  Status require_row(std::string_view sql, std::string_view what, int64_t id);
  Result<int64_t> metric_key_id(const std::string& name);

  static int on_commit(void* self);

  Connection& db_;
  CommitHook* hook_;
  Status hook_status_;  // what the hook said about the commit in progress
  StatementCache cache_;
  // Metric key ids by name. Keys made in a batch that rolls back vanish, so any failure clears it.
  std::unordered_map<std::string, int64_t> key_ids_;
};

}  // namespace labsweep::store
