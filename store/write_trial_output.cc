// WriteApplier's AppendTrialOutput (store/write_ops.h): a chunk of a trial's output in, what
// falls out of the kept window out.

#include <algorithm>
#include <optional>
#include <string>

#include "store/trial_output.h"
#include "store/write_applier.h"

namespace labsweep::store {
namespace {

constexpr std::string_view kStreamEnd =
    "SELECT max(end_byte) FROM trial_output WHERE trial_id = ?1 AND stream = ?2";
constexpr std::string_view kInsertChunk =
    "INSERT INTO trial_output (trial_id, stream, start_byte, end_byte, data) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
// Chunks wholly before the window; the one that straddles its start stays, and the reader cuts it.
constexpr std::string_view kDropOld =
    "DELETE FROM trial_output WHERE trial_id = ?1 AND stream = ?2 AND end_byte <= ?3";
constexpr std::string_view kTrialExists = "SELECT 1 FROM trials WHERE id = ?1";
constexpr std::string_view kClear = "DELETE FROM trial_output WHERE trial_id = ?1";

}  // namespace

Result<int64_t> WriteApplier::run(const AppendTrialOutput& op) {
  if (op.offset < 0) return invalid_argument("an output offset is a count of bytes");
  Status status = require_row(kTrialExists, "trial", op.trial.value);
  if (!status.is_ok()) return status;
  const std::string_view stream = to_string(op.stream);
  std::optional<int64_t> stored_end;
  {
    Result<StatementLease> end = cache_.lease(kStreamEnd);
    if (!end) return end.status();
    Result<bool> row = end->get().bind(1, op.trial.value).bind(2, stream).step();
    if (!row) return row.status();
    stored_end = end->get().optional_int64(0);
  }
  // A window sent again (the agent reconnected) overlaps what is here: only what is new counts.
  int64_t offset = op.offset;
  std::string_view data = op.data;
  if (stored_end && offset < *stored_end) {
    const int64_t known =
        std::min<int64_t>(*stored_end - offset, static_cast<int64_t>(data.size()));
    data.remove_prefix(static_cast<size_t>(known));
    offset += known;
  }
  if (data.empty()) return 0;
  const int64_t end = offset + static_cast<int64_t>(data.size());
  {
    Result<StatementLease> insert = cache_.lease(kInsertChunk);
    if (!insert) return insert.status();
    status = insert->get()
                 .bind(1, op.trial.value)
                 .bind(2, stream)
                 .bind(3, offset)
                 .bind(4, end)
                 .bind(5, data)
                 .run();
    if (!status.is_ok()) return status;
  }
  Result<StatementLease> drop = cache_.lease(kDropOld);
  if (!drop) return drop.status();
  status =
      drop->get().bind(1, op.trial.value).bind(2, stream).bind(3, end - kTrialOutputBytes).run();
  if (!status.is_ok()) return status;
  return static_cast<int64_t>(data.size());
}

// A new attempt writes new files, whose offsets start at 0 again.
Status WriteApplier::clear_trial_output(TrialId trial) {
  Result<StatementLease> lease = cache_.lease(kClear);
  if (!lease) return lease.status();
  return lease->get().bind(1, trial.value).run();
}

}  // namespace labsweep::store
