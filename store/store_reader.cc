#include "store/store_reader.h"

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

#include "store/connection.h"
#include "store/record_rows.h"
#include "store/schema.h"
#include "store/sqlite_error.h"
#include "store/statement_cache.h"

namespace labsweep::store {

struct StoreReader::Session {
  explicit Session(Connection connection) : db(std::move(connection)) {}
  Connection db;
  StatementCache cache{db};
};

namespace {

constexpr std::string_view kSummaryColumns =
    "k.name, s.count, s.last_step, s.last_value, s.min_value, s.min_step, s.max_value, "
    "s.max_step";

std::string select(std::string_view columns, std::string_view rest) {
  return "SELECT " + std::string(columns) + " " + std::string(rest);
}

const std::string& all_sweeps_sql() {
  static const std::string sql = select(kSweepColumns, "FROM sweeps ORDER BY id");
  return sql;
}
const std::string& one_sweep_sql() {
  static const std::string sql = select(kSweepColumns, "FROM sweeps WHERE id = ?1");
  return sql;
}
constexpr std::string_view kAllCounts =
    "SELECT sweep_id, status, count(*) FROM trials GROUP BY sweep_id, status";
constexpr std::string_view kSweepCounts =
    "SELECT sweep_id, status, count(*) FROM trials WHERE sweep_id = ?1 GROUP BY status";

// Two forms, so that each walks an index in id order: trials_by_sweep_status with a status,
// trials_by_sweep without.
const std::string& trials_sql() {
  static const std::string sql =
      select(kTrialColumns, "FROM trials WHERE sweep_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
  return sql;
}
const std::string& trials_by_status_sql() {
  static const std::string sql =
      select(kTrialColumns,
             "FROM trials WHERE sweep_id = ?1 AND status = ?4 AND id > ?2 ORDER BY id LIMIT ?3");
  return sql;
}
const std::string& one_trial_sql() {
  static const std::string sql = select(kTrialColumns, "FROM trials WHERE id = ?1");
  return sql;
}
// The summaries of a range of trial ids, in the summaries' key order (trial, key): a range scan
// of trial_summaries, never metric_points.
const std::string& summaries_of_range_sql() {
  static const std::string sql =
      select(std::string("s.trial_id, ") + std::string(kSummaryColumns),
             "FROM trial_summaries s JOIN metric_keys k ON k.id = s.key_id "
             "WHERE s.trial_id BETWEEN ?1 AND ?2");
  return sql;
}
const std::string& summaries_of_trial_sql() {
  static const std::string sql =
      select(kSummaryColumns,
             "FROM trial_summaries s JOIN metric_keys k ON k.id = s.key_id WHERE s.trial_id = ?1");
  return sql;
}

constexpr std::string_view kSweepExists = "SELECT 1 FROM sweeps WHERE id = ?1";
constexpr std::string_view kTrialExists = "SELECT 1 FROM trials WHERE id = ?1";
constexpr std::string_view kFindKey = "SELECT id FROM metric_keys WHERE name = ?1";
constexpr std::string_view kSeries =
    "SELECT step, value, time_ms FROM metric_points "
    "WHERE trial_id = ?1 AND key_id = ?2 AND step >= ?3 ORDER BY step";

// A sweep's ranked trials walk trial_summaries_by_min or _by_max (schema.cc) in order: an index
// range, no sort. min_value and max_value are NULL together (every value NaN).
constexpr std::string_view kRankedByMin =
    "SELECT trial_id FROM trial_summaries WHERE sweep_id = ?1 AND key_id = ?2 "
    "AND min_value IS NOT NULL ORDER BY min_value, trial_id LIMIT ?3 OFFSET ?4";
constexpr std::string_view kRankedByMax =
    "SELECT trial_id FROM trial_summaries WHERE sweep_id = ?1 AND key_id = ?2 "
    "AND max_value IS NOT NULL ORDER BY max_value DESC, trial_id LIMIT ?3 OFFSET ?4";
constexpr std::string_view kRankedCount =
    "SELECT count(*) FROM trial_summaries WHERE sweep_id = ?1 AND key_id = ?2 "
    "AND min_value IS NOT NULL";
constexpr std::string_view kUnranked =
    "SELECT id FROM trials t WHERE sweep_id = ?1 AND NOT EXISTS (SELECT 1 FROM trial_summaries s "
    "WHERE s.trial_id = t.id AND s.key_id = ?2 AND s.min_value IS NOT NULL) "
    "ORDER BY id LIMIT ?3 OFFSET ?4";
constexpr std::string_view kBestMin =
    "SELECT min_value, trial_id, min_step FROM trial_summaries WHERE sweep_id = ?1 "
    "AND key_id = ?2 AND min_value IS NOT NULL ORDER BY min_value, trial_id LIMIT 1";
constexpr std::string_view kBestMax =
    "SELECT max_value, trial_id, max_step FROM trial_summaries WHERE sweep_id = ?1 "
    "AND key_id = ?2 AND max_value IS NOT NULL ORDER BY max_value DESC, trial_id LIMIT 1";

const std::string& agents_sql() {
  static const std::string sql = select(kAgentColumns, "FROM agents ORDER BY name");
  return sql;
}
const std::string& events_sql() {
  static const std::string sql =
      select(kEventColumns, "FROM events WHERE id > ?1 ORDER BY id LIMIT ?2");
  return sql;
}
const std::string& sweep_events_sql() {
  static const std::string sql =
      select(kEventColumns, "FROM events WHERE sweep_id = ?3 AND id > ?1 ORDER BY id LIMIT ?2");
  return sql;
}
// By the trial's index; a sweep given as well (?4, NULL when not) only narrows it.
const std::string& trial_events_sql() {
  static const std::string sql =
      select(kEventColumns,
             "FROM events WHERE trial_id = ?3 AND id > ?1 AND (?4 IS NULL OR sweep_id = ?4) "
             "ORDER BY id LIMIT ?2");
  return sql;
}

Status does_not_exist(std::string_view what, int64_t id) {
  return not_found(std::string(what) + " " + std::to_string(id) + " does not exist");
}

int64_t sql_limit(std::optional<int64_t> limit) {
  return limit ? std::max<int64_t>(*limit, 0) : -1;
}

Status run_cached(StatementCache& cache, std::string_view sql) {
  Result<StatementLease> lease = cache.lease(sql);
  if (!lease) return lease.status();
  return lease->get().run();
}

// Runs `body(cache)` in one read transaction, so that its queries see one committed state.
// Errors other than "not found" are prefixed with `operation`.
template <typename Body>
auto in_snapshot(StatementCache& cache, std::string_view operation, Body body)
    -> decltype(body(cache)) {
  Status status = run_cached(cache, "BEGIN");
  if (!status.is_ok()) return with_context(operation, status);
  auto result = body(cache);
  Status end = run_cached(cache, "COMMIT");  // read-only: this only ends the snapshot
  if (!result) {
    if (result.status().code() == StatusCode::kNotFound) return result.status();
    return with_context(operation, result.status());
  }
  if (!end.is_ok()) return with_context(operation, end);
  return result;
}

// Adds the trial counts by status of each row (sweep_id, status, count) to `overviews`.
Status add_counts(Statement& rows, std::unordered_map<int64_t, SweepOverview*>& overviews) {
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
    auto it = overviews.find(rows.int64(0));
    std::optional<TrialStatus> status = parse_trial_status(rows.text(1));
    if (it == overviews.end() || !status) continue;  // a row written after the sweeps were read
    it->second->trials.by_status[static_cast<size_t>(*status)] = rows.int64(2);
  }
}

Result<std::vector<SweepOverview>> read_sweeps(StatementCache& cache) {
  std::vector<SweepOverview> overviews;
  {
    Result<StatementLease> lease = cache.lease(all_sweeps_sql());
    if (!lease) return lease.status();
    for (;;) {
      Result<bool> row = lease->get().step();
      if (!row) return row.status();
      if (!*row) break;
      Result<SweepRecord> sweep = read_sweep(lease->get());
      if (!sweep) return sweep.status();
      overviews.push_back(SweepOverview{std::move(sweep).value(), {}});
    }
  }
  std::unordered_map<int64_t, SweepOverview*> by_id;
  for (SweepOverview& overview : overviews) by_id[overview.sweep.id.value] = &overview;
  Result<StatementLease> counts = cache.lease(kAllCounts);
  if (!counts) return counts.status();
  Status status = add_counts(counts->get(), by_id);
  if (!status.is_ok()) return status;
  return overviews;
}

Result<SweepOverview> read_one_sweep(StatementCache& cache, SweepId id) {
  SweepOverview overview;
  {
    Result<StatementLease> lease = cache.lease(one_sweep_sql());
    if (!lease) return lease.status();
    Result<bool> row = lease->get().bind(1, id.value).step();
    if (!row) return row.status();
    if (!*row) return does_not_exist("sweep", id.value);
    Result<SweepRecord> sweep = read_sweep(lease->get());
    if (!sweep) return sweep.status();
    overview.sweep = std::move(sweep).value();
  }
  std::unordered_map<int64_t, SweepOverview*> by_id{{id.value, &overview}};
  Result<StatementLease> counts = cache.lease(kSweepCounts);
  if (!counts) return counts.status();
  Status status = add_counts(counts->get().bind(1, id.value), by_id);
  if (!status.is_ok()) return status;
  return overview;
}

Status require_sweep(StatementCache& cache, SweepId id) {
  Result<StatementLease> lease = cache.lease(kSweepExists);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, id.value).step();
  if (!row) return row.status();
  return *row ? Status::ok() : does_not_exist("sweep", id.value);
}

Status require_trial(StatementCache& cache, TrialId id) {
  Result<StatementLease> lease = cache.lease(kTrialExists);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, id.value).step();
  if (!row) return row.status();
  return *row ? Status::ok() : does_not_exist("trial", id.value);
}

void sort_by_key(std::vector<MetricSummary>& summaries) {
  std::sort(summaries.begin(), summaries.end(),
            [](const MetricSummary& a, const MetricSummary& b) { return a.key < b.key; });
}

// Attaches the summaries of trials views.front() .. views.back() (ids ascending) to them.
Status attach_summaries(StatementCache& cache, std::vector<TrialView>& views) {
  if (views.empty()) return Status::ok();
  std::unordered_map<int64_t, TrialView*> by_id;
  for (TrialView& view : views) by_id[view.trial.id.value] = &view;
  Result<StatementLease> lease = cache.lease(summaries_of_range_sql());
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, views.front().trial.id.value).bind(2, views.back().trial.id.value);
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) break;
    auto it = by_id.find(rows.int64(0));
    if (it != by_id.end()) it->second->summaries.push_back(read_summary(rows, 1));
  }
  for (TrialView& view : views) sort_by_key(view.summaries);
  return Status::ok();
}

Result<std::vector<TrialView>> read_trials(StatementCache& cache, SweepId sweep,
                                           const TrialFilter& filter) {
  Status status = require_sweep(cache, sweep);
  if (!status.is_ok()) return status;
  std::vector<TrialView> views;
  // A page is asked for whole (the API's pages hold up to 10,001 trials): grown by doubling, the
  // vector would be moved a dozen times on the way there.
  constexpr int64_t kMostReserved = 16384;
  if (filter.limit)
    views.reserve(static_cast<size_t>(std::clamp<int64_t>(*filter.limit, 0, kMostReserved)));
  {
    Result<StatementLease> lease =
        cache.lease(filter.status ? trials_by_status_sql() : trials_sql());
    if (!lease) return lease.status();
    Statement& rows = lease->get();
    rows.bind(1, sweep.value).bind(2, filter.after.value).bind(3, sql_limit(filter.limit));
    if (filter.status) rows.bind(4, to_string(*filter.status));
    for (;;) {
      Result<bool> row = rows.step();
      if (!row) return row.status();
      if (!*row) break;
      Result<TrialRecord> trial = read_trial(rows);
      if (!trial) return trial.status();
      views.push_back(TrialView{std::move(trial).value(), {}});
    }
  }
  status = attach_summaries(cache, views);
  if (!status.is_ok()) return status;
  return views;
}

Result<TrialView> read_one_trial(StatementCache& cache, TrialId id) {
  TrialView view;
  {
    Result<StatementLease> lease = cache.lease(one_trial_sql());
    if (!lease) return lease.status();
    Result<bool> row = lease->get().bind(1, id.value).step();
    if (!row) return row.status();
    if (!*row) return does_not_exist("trial", id.value);
    Result<TrialRecord> trial = read_trial(lease->get());
    if (!trial) return trial.status();
    view.trial = std::move(trial).value();
  }
  Result<StatementLease> lease = cache.lease(summaries_of_trial_sql());
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, id.value);
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) break;
    view.summaries.push_back(read_summary(rows, 0));
  }
  sort_by_key(view.summaries);
  return view;
}

// The id of metric `key`, or 0 (no id) when no trial ever reported it.
Result<int64_t> find_key(StatementCache& cache, std::string_view key) {
  Result<StatementLease> lease = cache.lease(kFindKey);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, key).step();
  if (!row) return row.status();
  return *row ? lease->get().int64(0) : 0;
}

// Runs `sql` (?1 sweep, ?2 key, ?3 limit, ?4 offset) and appends the ids it returns.
Status append_ids(StatementCache& cache, std::string_view sql, SweepId sweep, int64_t key_id,
                  int64_t limit, int64_t offset, std::vector<TrialId>& ids) {
  Result<StatementLease> lease = cache.lease(sql);
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, sweep.value).bind(2, key_id).bind(3, limit).bind(4, offset);
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) return Status::ok();
    ids.push_back(TrialId{rows.int64(0)});
  }
}

Result<int64_t> ranked_count(StatementCache& cache, SweepId sweep, int64_t key_id) {
  Result<StatementLease> lease = cache.lease(kRankedCount);
  if (!lease) return lease.status();
  Result<bool> row = lease->get().bind(1, sweep.value).bind(2, key_id).step();
  if (!row) return row.status();
  return lease->get().int64(0);
}

// The ids of the ranking's page: ranked trials first, then the unranked ones after them.
Result<std::vector<TrialId>> best_trial_ids(StatementCache& cache, SweepId sweep, int64_t key_id,
                                            const BestTrialsQuery& query) {
  std::vector<TrialId> ids;
  const int64_t limit = sql_limit(query.limit);
  const int64_t offset = std::max<int64_t>(query.offset, 0);
  const bool maximize = query.goal == MetricGoal::kMaximize;
  Status status =
      append_ids(cache, maximize ? kRankedByMax : kRankedByMin, sweep, key_id, limit, offset, ids);
  if (!status.is_ok()) return status;
  const int64_t ranked = static_cast<int64_t>(ids.size());
  if (limit >= 0 && ranked >= limit) return ids;
  // The page runs past the ranked trials. Had it started inside them, the unranked part starts
  // at their beginning; otherwise it is offset by the ranked trials skipped.
  int64_t unranked_offset = 0;
  if (ranked == 0) {
    Result<int64_t> count = ranked_count(cache, sweep, key_id);
    if (!count) return count.status();
    unranked_offset = std::max<int64_t>(offset - *count, 0);
  }
  status = append_ids(cache, kUnranked, sweep, key_id, limit < 0 ? -1 : limit - ranked,
                      unranked_offset, ids);
  if (!status.is_ok()) return status;
  return ids;
}

Result<std::vector<TrialView>> read_best_trials(StatementCache& cache, SweepId sweep,
                                                const BestTrialsQuery& query) {
  Status status = require_sweep(cache, sweep);
  if (!status.is_ok()) return status;
  Result<int64_t> key_id = find_key(cache, query.metric);
  if (!key_id) return key_id.status();
  Result<std::vector<TrialId>> ids = best_trial_ids(cache, sweep, *key_id, query);
  if (!ids) return ids.status();
  std::vector<TrialView> views;
  views.reserve(ids->size());
  for (TrialId id : *ids) {
    Result<TrialView> view = read_one_trial(cache, id);
    if (!view) return view.status();
    views.push_back(std::move(view).value());
  }
  return views;
}

Result<std::optional<BestValue>> read_best_value(StatementCache& cache, SweepId sweep,
                                                 std::string_view metric, MetricGoal goal) {
  Status status = require_sweep(cache, sweep);
  if (!status.is_ok()) return status;
  Result<int64_t> key_id = find_key(cache, metric);
  if (!key_id) return key_id.status();
  Result<StatementLease> lease = cache.lease(goal == MetricGoal::kMaximize ? kBestMax : kBestMin);
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  Result<bool> row = rows.bind(1, sweep.value).bind(2, *key_id).step();
  if (!row) return row.status();
  if (!*row) return std::optional<BestValue>();
  return std::optional<BestValue>(BestValue{rows.real(0), TrialId{rows.int64(1)}, rows.int64(2)});
}

Result<std::vector<MetricPoint>> read_series(StatementCache& cache, TrialId trial,
                                             std::string_view key, int64_t from_step) {
  Status status = require_trial(cache, trial);
  if (!status.is_ok()) return status;
  std::vector<MetricPoint> points;
  int64_t key_id = 0;
  {
    Result<StatementLease> lease = cache.lease(kFindKey);
    if (!lease) return lease.status();
    Result<bool> row = lease->get().bind(1, key).step();
    if (!row) return row.status();
    if (!*row) return points;  // no trial ever reported it
    key_id = lease->get().int64(0);
  }
  Result<StatementLease> lease = cache.lease(kSeries);
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, trial.value).bind(2, key_id).bind(3, from_step);
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) return points;
    points.push_back(MetricPoint{rows.int64(0), rows.real(1), rows.int64(2)});
  }
}

Result<std::vector<AgentRecord>> read_agents(StatementCache& cache) {
  Result<StatementLease> lease = cache.lease(agents_sql());
  if (!lease) return lease.status();
  std::vector<AgentRecord> agents;
  for (;;) {
    Result<bool> row = lease->get().step();
    if (!row) return row.status();
    if (!*row) return agents;
    Result<AgentRecord> agent = read_agent(lease->get());
    if (!agent) return agent.status();
    agents.push_back(std::move(agent).value());
  }
}

Result<std::vector<EventRecord>> read_events(StatementCache& cache, const EventFilter& filter) {
  const std::string& sql =
      filter.trial ? trial_events_sql() : (filter.sweep ? sweep_events_sql() : events_sql());
  Result<StatementLease> lease = cache.lease(sql);
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, filter.after.value).bind(2, sql_limit(filter.limit));
  if (filter.trial) {
    rows.bind(3, filter.trial->value);
    rows.bind(4, filter.sweep ? std::optional<int64_t>(filter.sweep->value) : std::nullopt);
  } else if (filter.sweep) {
    rows.bind(3, filter.sweep->value);
  }
  std::vector<EventRecord> events;
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) return events;
    events.push_back(read_event(rows));
  }
}

}  // namespace

Result<std::unique_ptr<StoreReader>> StoreReader::open(const std::filesystem::path& path,
                                                       ReaderOptions options) {
  Result<Connection> db = Connection::open(path, AccessMode::kReadOnly, options.busy_timeout);
  if (!db) return db.status();
  Status status = check_schema_version(*db, current_schema_version());
  if (!status.is_ok()) return status;
  return std::unique_ptr<StoreReader>(
      new StoreReader(std::make_unique<Session>(std::move(db).value())));
}

StoreReader::StoreReader(std::unique_ptr<Session> session) : session_(std::move(session)) {}

StoreReader::~StoreReader() = default;

Result<std::vector<SweepOverview>> StoreReader::sweeps() {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "list sweeps", read_sweeps);
}

Result<SweepOverview> StoreReader::sweep(SweepId id) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "read sweep",
                     [id](StatementCache& cache) { return read_one_sweep(cache, id); });
}

Result<std::vector<TrialView>> StoreReader::trials(SweepId sweep, const TrialFilter& filter) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "list trials",
                     [&](StatementCache& cache) { return read_trials(cache, sweep, filter); });
}

Result<TrialView> StoreReader::trial(TrialId id) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "read trial",
                     [id](StatementCache& cache) { return read_one_trial(cache, id); });
}

Result<std::vector<TrialView>> StoreReader::best_trials(SweepId sweep,
                                                        const BestTrialsQuery& query) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "list best trials",
                     [&](StatementCache& cache) { return read_best_trials(cache, sweep, query); });
}

Result<std::optional<BestValue>> StoreReader::best_value(SweepId sweep, std::string_view metric,
                                                         MetricGoal goal) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "read best value", [&](StatementCache& cache) {
    return read_best_value(cache, sweep, metric, goal);
  });
}

Result<std::vector<MetricPoint>> StoreReader::metric_series(TrialId trial, std::string_view key,
                                                            std::optional<int64_t> from_step) {
  MutexLock lock(mu_);
  int64_t from = from_step.value_or(std::numeric_limits<int64_t>::min());
  return in_snapshot(session_->cache, "read metric series",
                     [&](StatementCache& cache) { return read_series(cache, trial, key, from); });
}

Result<std::vector<AgentRecord>> StoreReader::agents() {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "list agents", read_agents);
}

Result<std::vector<EventRecord>> StoreReader::events(const EventFilter& filter) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "list events",
                     [&](StatementCache& cache) { return read_events(cache, filter); });
}

Result<OutputTail> StoreReader::trial_output(TrialId trial, OutputStream stream) {
  MutexLock lock(mu_);
  return in_snapshot(session_->cache, "read trial output",
                     [&](StatementCache& cache) { return read_output_tail(cache, trial, stream); });
}

}  // namespace labsweep::store
