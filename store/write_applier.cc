#include "store/write_applier.h"

#include <sqlite3.h>

#include <cmath>
#include <map>
#include <optional>
#include <unordered_set>
#include <utility>

#include "store/gpu_list.h"
#include "store/records.h"
#include "store/sqlite_error.h"

namespace labsweep::store {
namespace {

constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";
constexpr std::string_view kSavepoint = "SAVEPOINT op";
constexpr std::string_view kRelease = "RELEASE op";
constexpr std::string_view kRollbackToSavepoint = "ROLLBACK TO op";

constexpr std::string_view kSweepExists = "SELECT 1 FROM sweeps WHERE id = ?1";
constexpr std::string_view kTrialExists = "SELECT 1 FROM trials WHERE id = ?1";
constexpr std::string_view kAgentExists = "SELECT 1 FROM agents WHERE id = ?1";

constexpr std::string_view kInsertSweep =
    "INSERT INTO sweeps (name, method, spec_text, directory, seed, state, created_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)";
constexpr std::string_view kSetSweepState =
    "UPDATE sweeps SET state = ?2, finished_ms = ?3 WHERE id = ?1";

constexpr std::string_view kFindSuggestion =
    "SELECT id FROM trials WHERE sweep_id = ?1 AND suggestion_index = ?2";
constexpr std::string_view kInsertTrial =
    "INSERT INTO trials (id, sweep_id, suggestion_index, params_json, status, created_ms) "
    "VALUES (coalesce(?5, max((SELECT coalesce(max(id), 0) FROM trials), "
    "(SELECT coalesce(max(up_to), 0) FROM reserved_ids WHERE name = 'trials')) + 1), "
    "?1, ?2, ?3, 'pending', ?4)";  // ?5 NULL: past every trial and every reservation
// Past every trial and every earlier reservation.
constexpr std::string_view kReserveTrialIds = R"sql(
INSERT INTO reserved_ids (name, up_to)
VALUES ('trials', (SELECT coalesce(max(id), 0) FROM trials) + ?1)
ON CONFLICT (name) DO UPDATE SET
  up_to = max(up_to, (SELECT coalesce(max(id), 0) FROM trials)) + ?1
RETURNING up_to
)sql";
// Never below a trial that exists, nor above what was reserved.
constexpr std::string_view kReleaseTrialIds =
    "UPDATE reserved_ids SET up_to = max(?1 - 1, (SELECT coalesce(max(id), 0) FROM trials)) "
    "WHERE name = 'trials' AND up_to >= ?1";
constexpr std::string_view kReservedUpTo = "SELECT up_to FROM reserved_ids WHERE name = 'trials'";
constexpr std::string_view kStartTrial =
    "UPDATE trials SET status = 'running', agent_id = ?2, gpus_json = ?3, "
    "attempts = attempts + ?5, started_ms = ?4, exit_code = NULL, signal = NULL, "
    "stderr_tail = '', stop_reason = '', finished_ms = NULL WHERE id = ?1";
constexpr std::string_view kFinishTrial =
    "UPDATE trials SET status = ?2, exit_code = ?3, signal = ?4, stderr_tail = ?5, "
    "stop_reason = ?6, finished_ms = ?7 WHERE id = ?1";
constexpr std::string_view kRequeueTrial =
    "UPDATE trials SET status = 'pending', agent_id = NULL, gpus_json = '[]', "
    "started_ms = NULL WHERE id = ?1";

constexpr std::string_view kUpsertAgent =
    "INSERT INTO agents (name, host, public_key, gpus_json, state, first_seen_ms, "
    "last_heartbeat_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
    "ON CONFLICT (name) DO UPDATE SET host = excluded.host, public_key = excluded.public_key, "
    "gpus_json = excluded.gpus_json, state = excluded.state, "
    "last_heartbeat_ms = excluded.last_heartbeat_ms RETURNING id";
constexpr std::string_view kHeartbeat =
    "UPDATE agents SET last_heartbeat_ms = ?2, gpus_json = coalesce(?3, gpus_json) "
    "WHERE id = ?1";
constexpr std::string_view kSetAgentState = "UPDATE agents SET state = ?2 WHERE id = ?1";

constexpr std::string_view kFindKey = "SELECT id FROM metric_keys WHERE name = ?1";
constexpr std::string_view kInsertKey = "INSERT INTO metric_keys (name) VALUES (?1)";
constexpr std::string_view kInsertPoint =
    "INSERT INTO metric_points (trial_id, key_id, step, value, time_ms) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (trial_id, key_id, step) DO NOTHING";
// Merges the summary of a batch's new points (excluded) into the stored one. SET expressions
// see the row as it was before the update. On equal extremes the lower step wins, so the
// result does not depend on the order in which points arrive.
constexpr std::string_view kMergeSummary = R"sql(
INSERT INTO trial_summaries (trial_id, key_id, sweep_id, count, last_step, last_value, min_value,
                             min_step, max_value, max_step)
VALUES (?1, ?2, (SELECT sweep_id FROM trials WHERE id = ?1), ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (trial_id, key_id) DO UPDATE SET
  count = count + excluded.count,
  last_step = max(last_step, excluded.last_step),
  last_value = CASE WHEN excluded.last_step > last_step THEN excluded.last_value
                    ELSE last_value END,
  min_value = CASE WHEN excluded.min_value IS NOT NULL AND (min_value IS NULL
                      OR excluded.min_value < min_value
                      OR (excluded.min_value = min_value AND excluded.min_step < min_step))
                   THEN excluded.min_value ELSE min_value END,
  min_step = CASE WHEN excluded.min_value IS NOT NULL AND (min_value IS NULL
                     OR excluded.min_value < min_value
                     OR (excluded.min_value = min_value AND excluded.min_step < min_step))
                  THEN excluded.min_step ELSE min_step END,
  max_value = CASE WHEN excluded.max_value IS NOT NULL AND (max_value IS NULL
                      OR excluded.max_value > max_value
                      OR (excluded.max_value = max_value AND excluded.max_step < max_step))
                   THEN excluded.max_value ELSE max_value END,
  max_step = CASE WHEN excluded.max_value IS NOT NULL AND (max_value IS NULL
                     OR excluded.max_value > max_value
                     OR (excluded.max_value = max_value AND excluded.max_step < max_step))
                  THEN excluded.max_step ELSE max_step END
)sql";

constexpr std::string_view kInsertEvent =
    "INSERT INTO events (time_ms, sweep_id, trial_id, agent_id, kind, message) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Metric names are few in practice; a trial inventing names without end must not grow memory.
constexpr size_t kMaxCachedKeys = 100'000;

std::string_view operation_name(const CreateSweep&) { return "create sweep"; }
std::string_view operation_name(const SetSweepState&) { return "set sweep state"; }
std::string_view operation_name(const AddTrial&) { return "add trial"; }
std::string_view operation_name(const ReserveTrialIds&) { return "reserve trial ids"; }
std::string_view operation_name(const ReleaseTrialIds&) { return "release trial ids"; }
std::string_view operation_name(const StartTrial&) { return "start trial"; }
std::string_view operation_name(const FinishTrial&) { return "finish trial"; }
std::string_view operation_name(const RequeueTrial&) { return "requeue trial"; }
std::string_view operation_name(const RecordAgent&) { return "record agent"; }
std::string_view operation_name(const RecordHeartbeat&) { return "record heartbeat"; }
std::string_view operation_name(const SetAgentState&) { return "set agent state"; }
std::string_view operation_name(const AddMetricPoints&) { return "add metric points"; }
std::string_view operation_name(const AddEvent&) { return "add event"; }
std::string_view operation_name(const AppendTrialOutput&) { return "append trial output"; }

// The summary of the points one operation inserted for one (trial, key).
struct SummaryDelta {
  int64_t count = 0;
  int64_t last_step = 0;
  double last_value = 0;
  std::optional<MetricExtreme> min;
  std::optional<MetricExtreme> max;

  void add(int64_t step, double value) {
    if (count == 0 || step > last_step) {
      last_step = step;
      last_value = value;
    }
    ++count;
    if (std::isnan(value)) return;
    if (!min || value < min->value || (value == min->value && step < min->step)) {
      min = MetricExtreme{value, step};
    }
    if (!max || value > max->value || (value == max->value && step < max->step)) {
      max = MetricExtreme{value, step};
    }
  }
};

template <typename... Args>
void bind_from(Statement& stmt, int first, const Args&... args) {
  int index = first;
  (stmt.bind(index++, args), ...);
}

std::optional<double> value_of(const std::optional<MetricExtreme>& extreme) {
  if (!extreme) return std::nullopt;
  return extreme->value;
}

std::optional<int64_t> step_of(const std::optional<MetricExtreme>& extreme) {
  if (!extreme) return std::nullopt;
  return extreme->step;
}

Status does_not_exist(std::string_view what, int64_t id) {
  return not_found(std::string(what) + " " + std::to_string(id) + " does not exist");
}

}  // namespace

WriteApplier::WriteApplier(Connection& db, CommitHook* hook) : db_(db), hook_(hook), cache_(db) {
  if (hook_) sqlite3_commit_hook(db_.get(), &WriteApplier::on_commit, this);
}

WriteApplier::~WriteApplier() {
  if (hook_) sqlite3_commit_hook(db_.get(), nullptr, nullptr);
}

int WriteApplier::on_commit(void* self) {
  auto* applier = static_cast<WriteApplier*>(self);
  applier->hook_status_ = applier->hook_->before_commit();
  return applier->hook_status_.is_ok() ? 0 : 1;  // non-zero: SQLite rolls back instead
}

Status WriteApplier::exec_cached(std::string_view sql) {
  Result<StatementLease> lease = cache_.lease(sql);
  if (!lease) return lease.status();
  return lease->get().run();
}

Status WriteApplier::begin() {
  if (db_.in_transaction()) rollback();  // left open by a batch that could not roll back
  return with_context("begin", exec_cached(kBegin));
}

Status WriteApplier::commit() {
  hook_status_ = Status::ok();
  Status status = exec_cached(kCommit);
  if (status.is_ok()) return status;
  if (!hook_status_.is_ok()) {
    status = Status(hook_status_.code(), "commit refused: " + hook_status_.message());
  } else {
    status = with_context("commit", status);
  }
  rollback();
  return status;
}

void WriteApplier::rollback() {
  key_ids_.clear();
  if (db_.in_transaction()) (void)exec_cached(kRollback);
}

Result<int64_t> WriteApplier::apply(const WriteOp& op) {
  return std::visit([this](const auto& one) { return apply_one(one); }, op);
}

template <typename Op>
Result<int64_t> WriteApplier::apply_one(const Op& op) {
  std::string_view name = operation_name(op);
  Status status = exec_cached(kSavepoint);
  if (!status.is_ok()) return with_context(name, status);
  Result<int64_t> result = run(op);
  if (result) {
    status = exec_cached(kRelease);
    if (status.is_ok()) return result;
  } else {
    status = result.status();
  }
  // Undo this operation alone; the rest of the batch stands. Should even that fail, the whole
  // transaction goes, and transaction_lost() tells the writer.
  key_ids_.clear();
  if (db_.in_transaction()) {
    if (!exec_cached(kRollbackToSavepoint).is_ok() || !exec_cached(kRelease).is_ok()) rollback();
  }
  return with_context(name, status);
}

Status WriteApplier::require_row(std::string_view sql, std::string_view what, int64_t id) {
  Result<StatementLease> lease = cache_.lease(sql);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, id).step();
  if (!row) return row.status();
  if (!*row) return does_not_exist(what, id);
  return Status::ok();
}

template <typename... Args>
Status WriteApplier::update_row(std::string_view sql, std::string_view what, int64_t id,
                                const Args&... args) {
  Result<StatementLease> lease = cache_.lease(sql);
  if (!lease) return lease.status();
  Statement& stmt = lease->get();
  stmt.bind(1, id);
  bind_from(stmt, 2, args...);
  Status status = stmt.run();
  if (!status.is_ok()) return status;
  if (db_.changes() == 0) return does_not_exist(what, id);
  return Status::ok();
}

Result<int64_t> WriteApplier::run(const CreateSweep& op) {
  Result<StatementLease> lease = cache_.lease(kInsertSweep);
  if (!lease) return lease.status();
  bind_from(lease->get(), 1, op.name, op.method, op.spec_text, op.directory, op.seed,
            op.created_ms);
  Status status = lease->get().run();
  if (!status.is_ok()) return status;
  return db_.last_insert_rowid();
}

Result<int64_t> WriteApplier::run(const SetSweepState& op) {
  std::optional<int64_t> finished;
  if (op.state != SweepState::kRunning) finished = op.at_ms;
  Status status =
      update_row(kSetSweepState, "sweep", op.sweep.value, to_string(op.state), finished);
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const AddTrial& op) {
  Status status = require_row(kSweepExists, "sweep", op.sweep.value);
  if (!status.is_ok()) return status;
  {
    Result<StatementLease> find = cache_.lease(kFindSuggestion);
    if (!find) return find.status();
    Result<bool> row = find->get().bind(1, op.sweep.value).bind(2, op.suggestion_index).step();
    if (!row) return row.status();
    if (*row) {
      return Status(StatusCode::kFailedPrecondition,
                    "sweep " + std::to_string(op.sweep.value) + " already has trial " +
                        std::to_string(find->get().int64(0)) + " for suggestion " +
                        std::to_string(op.suggestion_index));
    }
  }
  if (op.id) {
    if (Status reserved = require_reserved(*op.id); !reserved.is_ok()) return reserved;
  }
  Result<StatementLease> lease = cache_.lease(kInsertTrial);
  if (!lease) return lease.status();
  std::optional<int64_t> id;
  if (op.id) id = op.id->value;
  bind_from(lease->get(), 1, op.sweep.value, op.suggestion_index, op.params_json, op.created_ms,
            id);
  status = lease->get().run();
  if (!status.is_ok()) return status;
  return db_.last_insert_rowid();
}

// A trial added with an id must have it from a reservation: an id past every reservation could
// be handed out again by the next one.
Status WriteApplier::require_reserved(TrialId id) {
  Result<StatementLease> lease = cache_.lease(kReservedUpTo);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().step();
  if (!row) return row.status();
  if (id.value < 1 || !*row || id.value > lease->get().int64(0)) {
    return invalid_argument("trial id " + std::to_string(id.value) + " was not reserved");
  }
  return Status::ok();
}

Result<int64_t> WriteApplier::run(const ReleaseTrialIds& op) {
  if (op.first.value < 1) return invalid_argument("trial ids start at 1");
  Result<StatementLease> lease = cache_.lease(kReleaseTrialIds);
  if (!lease) return lease.status();
  Status status = lease->get().bind(1, op.first.value).run();
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const ReserveTrialIds& op) {
  if (op.count < 1) return invalid_argument("reserve at least one trial id");
  Result<StatementLease> lease = cache_.lease(kReserveTrialIds);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, op.count).step();
  if (!row) return row.status();
  if (!*row) return Status(StatusCode::kInternal, "reserve trial ids: no row returned");
  return lease->get().int64(0) - op.count + 1;
}

Result<int64_t> WriteApplier::run(const StartTrial& op) {
  for (int gpu : op.gpus) {
    if (gpu < 0) return invalid_argument("GPU index " + std::to_string(gpu) + " is negative");
  }
  Status status = require_row(kAgentExists, "agent", op.agent.value);
  if (!status.is_ok()) return status;
  status = update_row(kStartTrial, "trial", op.trial.value, op.agent.value, gpus_to_json(op.gpus),
                      op.started_ms, int64_t{op.new_attempt ? 1 : 0});
  if (status.is_ok() && op.new_attempt) status = clear_trial_output(op.trial);
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const FinishTrial& op) {
  if (!is_final(op.status)) {
    return invalid_argument("status '" + std::string(to_string(op.status)) + "' is not final");
  }
  Status status =
      update_row(kFinishTrial, "trial", op.trial.value, to_string(op.status), op.exit_code,
                 op.signal, op.stderr_tail, op.stop_reason, op.finished_ms);
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const RequeueTrial& op) {
  Status status = update_row(kRequeueTrial, "trial", op.trial.value);
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const RecordAgent& op) {
  if (op.name.empty()) return invalid_argument("an agent needs a name");
  Result<StatementLease> lease = cache_.lease(kUpsertAgent);
  if (!lease) return lease.status();
  Statement& stmt = lease->get();
  bind_from(stmt, 1, op.name, op.host, op.public_key, op.gpus_json, to_string(op.state),
            op.seen_ms);
  Result<bool> row = stmt.step();
  if (!row) return row.status();
  if (!*row) return Status(StatusCode::kInternal, "the agent upsert returned no id");
  return stmt.int64(0);
}

Result<int64_t> WriteApplier::run(const RecordHeartbeat& op) {
  Status status = update_row(kHeartbeat, "agent", op.agent.value, op.at_ms, op.gpus_json);
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::run(const SetAgentState& op) {
  Status status = update_row(kSetAgentState, "agent", op.agent.value, to_string(op.state));
  if (!status.is_ok()) return status;
  return 0;
}

Result<int64_t> WriteApplier::metric_key_id(const std::string& name) {
  if (auto it = key_ids_.find(name); it != key_ids_.end()) return it->second;
  int64_t id = 0;
  {
    Result<StatementLease> find = cache_.lease(kFindKey);
    if (!find) return find.status();
    Result<bool> row = find->get().bind(1, name).step();
    if (!row) return row.status();
    if (*row) id = find->get().int64(0);
  }
  if (id == 0) {
    Result<StatementLease> insert = cache_.lease(kInsertKey);
    if (!insert) return insert.status();
    Status status = insert->get().bind(1, name).run();
    if (!status.is_ok()) return status;
    id = db_.last_insert_rowid();
  }
  if (key_ids_.size() >= kMaxCachedKeys) key_ids_.clear();
  key_ids_.emplace(name, id);
  return id;
}

Result<int64_t> WriteApplier::run(const AddMetricPoints& op) {
  std::map<std::pair<int64_t, int64_t>, SummaryDelta> deltas;  // by (trial, key id)
  std::unordered_set<int64_t> known_trials;
  int64_t inserted = 0;
  // One lease for the whole operation: metric_key_id may run its own statements meanwhile, but
  // never this one.
  Result<StatementLease> insert = cache_.lease(kInsertPoint);
  if (!insert) return insert.status();
  for (const MetricSample& point : op.points) {
    if (point.key.empty()) {
      return invalid_argument("a point of trial " + std::to_string(point.trial.value) +
                              " at step " + std::to_string(point.step) + " has no metric name");
    }
    if (!known_trials.contains(point.trial.value)) {
      Status status = require_row(kTrialExists, "trial", point.trial.value);
      if (!status.is_ok()) return status;
      known_trials.insert(point.trial.value);
    }
    Result<int64_t> key = metric_key_id(point.key);
    if (!key) return key.status();
    bind_from(insert->get(), 1, point.trial.value, *key, point.step, point.value, point.time_ms);
    Status status = insert->get().run();
    insert->get().reset();
    if (!status.is_ok()) return status;
    if (db_.changes() == 0) continue;  // stored before: neither stored nor counted again
    ++inserted;
    deltas[{point.trial.value, *key}].add(point.step, point.value);
  }
  for (const auto& [trial_and_key, delta] : deltas) {
    Result<StatementLease> lease = cache_.lease(kMergeSummary);
    if (!lease) return lease.status();
    bind_from(lease->get(), 1, trial_and_key.first, trial_and_key.second, delta.count,
              delta.last_step, delta.last_value, value_of(delta.min), step_of(delta.min),
              value_of(delta.max), step_of(delta.max));
    Status status = lease->get().run();
    if (!status.is_ok()) return status;
  }
  return inserted;
}

Result<int64_t> WriteApplier::run(const AddEvent& op) {
  if (op.kind.empty()) return invalid_argument("an event needs a kind");
  Status status;
  if (op.sweep) status = require_row(kSweepExists, "sweep", op.sweep->value);
  if (status.is_ok() && op.trial) status = require_row(kTrialExists, "trial", op.trial->value);
  if (status.is_ok() && op.agent) status = require_row(kAgentExists, "agent", op.agent->value);
  if (!status.is_ok()) return status;
  auto id_of = [](const auto& id) -> std::optional<int64_t> {
    if (!id) return std::nullopt;
    return id->value;
  };
  Result<StatementLease> lease = cache_.lease(kInsertEvent);
  if (!lease) return lease.status();
  bind_from(lease->get(), 1, op.time_ms, id_of(op.sweep), id_of(op.trial), id_of(op.agent), op.kind,
            op.message);
  status = lease->get().run();
  if (!status.is_ok()) return status;
  return db_.last_insert_rowid();
}

}  // namespace labsweep::store
