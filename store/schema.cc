#include "store/schema.h"

#include <array>
#include <string>

#include "store/sqlite_error.h"

namespace labsweep::store {
namespace {

// Version 1: the tables of docs/storage.md. Statuses and states are stored by name and checked,
// so the file reads plainly in the sqlite3 shell. Times are milliseconds since the epoch, given
// by the callers; the store never reads a clock.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE sweeps (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  method      TEXT NOT NULL,
  spec_text   TEXT NOT NULL,
  directory   TEXT NOT NULL DEFAULT '',
  seed        INTEGER NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('running', 'completed', 'stopped')),
  created_ms  INTEGER NOT NULL,
  finished_ms INTEGER
) STRICT;

CREATE TABLE agents (
  id                INTEGER PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  host              TEXT NOT NULL,
  public_key        TEXT NOT NULL,
  gpus_json         TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('online', 'offline', 'lost')),
  first_seen_ms     INTEGER NOT NULL,
  last_heartbeat_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE trials (
  id               INTEGER PRIMARY KEY,
  sweep_id         INTEGER NOT NULL REFERENCES sweeps (id),
  suggestion_index INTEGER NOT NULL,
  params_json      TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN
                     ('pending', 'running', 'completed', 'failed', 'stopped', 'lost')),
  agent_id         INTEGER REFERENCES agents (id),
  gpus_json        TEXT NOT NULL DEFAULT '[]',
  attempts         INTEGER NOT NULL DEFAULT 0,
  exit_code        INTEGER,
  signal           INTEGER,
  stderr_tail      TEXT NOT NULL DEFAULT '',
  stop_reason      TEXT NOT NULL DEFAULT '',
  created_ms       INTEGER NOT NULL,
  started_ms       INTEGER,
  finished_ms      INTEGER,
  UNIQUE (sweep_id, suggestion_index)
) STRICT;
-- Both end in the rowid, so a sweep's trials come in id order, with or without a status, and a
-- page starts at its cursor without a sort.
CREATE INDEX trials_by_sweep ON trials (sweep_id);
CREATE INDEX trials_by_sweep_status ON trials (sweep_id, status);

CREATE TABLE metric_keys (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
) STRICT;

-- value NULL is NaN (SQLite has no NaN). No foreign keys: this is the table that grows by
-- hundreds of thousands of rows a second, and two parent probes per row would cost a third of
-- the insert; the writer checks the trial and the key itself before it inserts (docs/storage.md).
CREATE TABLE metric_points (
  trial_id INTEGER NOT NULL,
  key_id   INTEGER NOT NULL,
  step     INTEGER NOT NULL,
  value    REAL,
  time_ms  INTEGER NOT NULL,
  PRIMARY KEY (trial_id, key_id, step)
) STRICT, WITHOUT ROWID;

-- One row per (trial, metric), kept current by the writer in the transaction that inserts the
-- points. last_* is the point with the highest step; min_*/max_* ignore NaN and are NULL while
-- every value is NaN; on ties the lowest step is kept. sweep_id is the trial's, repeated here so
-- that a sweep's best trials by a metric are one range of an index below, not a join over all of
-- the sweep's trials.
CREATE TABLE trial_summaries (
  trial_id   INTEGER NOT NULL REFERENCES trials (id),
  key_id     INTEGER NOT NULL REFERENCES metric_keys (id),
  sweep_id   INTEGER NOT NULL REFERENCES sweeps (id),
  count      INTEGER NOT NULL,
  last_step  INTEGER NOT NULL,
  last_value REAL,
  min_value  REAL,
  min_step   INTEGER,
  max_value  REAL,
  max_step   INTEGER,
  PRIMARY KEY (trial_id, key_id)
) STRICT, WITHOUT ROWID;
-- A sweep's trials ranked by a metric, best first for either goal; both end in trial_id (the
-- primary key), so ties come in trial id order without a sort.
CREATE INDEX trial_summaries_by_min ON trial_summaries (sweep_id, key_id, min_value);
CREATE INDEX trial_summaries_by_max ON trial_summaries (sweep_id, key_id, max_value DESC);

-- How far ids have been set aside (name 'trials': for the orchestrator to hand out trial ids
-- before their rows are committed); the next reservation starts past it.
CREATE TABLE reserved_ids (
  name  TEXT PRIMARY KEY,
  up_to INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- AUTOINCREMENT: ids never go back, so a reader's cursor stays valid.
CREATE TABLE events (
  id       INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms  INTEGER NOT NULL,
  sweep_id INTEGER REFERENCES sweeps (id),
  trial_id INTEGER REFERENCES trials (id),
  agent_id INTEGER REFERENCES agents (id),
  kind     TEXT NOT NULL,
  message  TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_sweep ON events (sweep_id, id);
)sql";

// Version 2: the trials' last output (docs/storage.md, "Trial output"), and a trial's events
// found without a scan. data is TEXT holding the bytes as the trial wrote them (SQLite does not
// check UTF-8); end_byte is start_byte plus their count, kept because length() counts characters.
constexpr std::string_view kVersion2 = R"sql(
CREATE TABLE trial_output (
  trial_id   INTEGER NOT NULL REFERENCES trials (id),
  stream     TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr')),
  start_byte INTEGER NOT NULL,
  end_byte   INTEGER NOT NULL,
  data       TEXT NOT NULL,
  PRIMARY KEY (trial_id, stream, start_byte)
) STRICT, WITHOUT ROWID;
CREATE INDEX events_by_trial ON events (trial_id, id);
)sql";

constexpr std::array<std::string_view, 2> kMigrations = {kVersion1, kVersion2};

Status run_step(Connection& db, std::string_view step, int64_t version) {
  std::string context = "migrate to schema version " + std::to_string(version);
  // IMMEDIATE takes the write lock first, and the version is read again under it, so that two
  // processes opening an old file do not both run the step.
  Status status = db.exec("BEGIN IMMEDIATE", context);
  if (!status.is_ok()) return status;
  Result<int64_t> now = schema_version(db);
  if (!now) {
    status = with_context(context, now.status());
  } else if (*now >= version) {
    return db.exec("COMMIT", context);  // someone else did it
  } else {
    status = db.exec(std::string(step), context);
    if (status.is_ok()) {
      status = db.exec("PRAGMA user_version = " + std::to_string(version), context);
    }
    if (status.is_ok()) status = db.exec("COMMIT", context);
  }
  if (!status.is_ok() && db.in_transaction()) (void)db.exec("ROLLBACK", context);
  return status;
}

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

int64_t current_schema_version() { return static_cast<int64_t>(kMigrations.size()); }

Result<int64_t> schema_version(Connection& db) {
  return db.query_int("PRAGMA user_version", "read schema version");
}

Status migrate(Connection& db, std::span<const std::string_view> steps) {
  Result<int64_t> version = schema_version(db);
  if (!version) return version.status();
  int64_t target = static_cast<int64_t>(steps.size());
  if (*version > target) return check_schema_version(db, target);
  for (int64_t next = *version + 1; next <= target; ++next) {
    Status status = run_step(db, steps[next - 1], next);
    if (!status.is_ok()) return status;
  }
  return Status::ok();
}

Status check_schema_version(Connection& db, int64_t expected) {
  Result<int64_t> version = schema_version(db);
  if (!version) return version.status();
  std::string file = db.path().string();
  if (*version > expected) {
    return Status(StatusCode::kFailedPrecondition,
                  file + ": schema version " + std::to_string(*version) +
                      " is newer than this labsweep knows (" + std::to_string(expected) +
                      "); use a newer labsweep");
  }
  if (*version < expected) {
    return Status(StatusCode::kFailedPrecondition,
                  file + ": schema version " + std::to_string(*version) + ", expected " +
                      std::to_string(expected) + "; the writer migrates it when it opens");
  }
  return Status::ok();
}

}  // namespace labsweep::store
