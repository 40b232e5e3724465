#include "store/connection.h"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite_error.h"

namespace labsweep::store {
namespace {

// STRICT tables arrived in 3.37.0, RETURNING in 3.35.0.
constexpr int kMinimumSqliteVersion = 3'037'000;

// The first column of the first row of `sql` as text ("" when there is no row).
Result<std::string> first_text(sqlite3* db, const char* sql, std::string_view operation) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr);
  std::string text;
  if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const unsigned char* column = sqlite3_column_text(stmt, 0);
    if (column) text = reinterpret_cast<const char*>(column);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, operation);
  return text;
}

}  // namespace

Result<Connection> Connection::open(const std::filesystem::path& path, AccessMode mode,
                                    std::chrono::milliseconds busy_timeout) {
  if (sqlite3_libversion_number() < kMinimumSqliteVersion) {
    return Status(
        StatusCode::kFailedPrecondition,
        std::string("the store needs SQLite 3.37 or newer; this is ") + sqlite3_libversion());
  }
  // NOMUTEX: a connection is used by one thread at a time (the writer's thread, or a reader
  // under its own mutex), so SQLite's per-call locking would only cost time.
  int flags = SQLITE_OPEN_NOMUTEX |
              (mode == AccessMode::kReadWrite ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                              : SQLITE_OPEN_READONLY);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = sqlite_error(db, rc, "open " + path.string());
    sqlite3_close_v2(db);  // a handle may come back even on failure
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  Connection connection(db, path);
  Status status = connection.configure(mode, busy_timeout);
  if (!status.is_ok()) return with_context("open " + path.string(), status);
  return connection;
}

Status Connection::configure(AccessMode mode, std::chrono::milliseconds busy_timeout) {
  int rc = sqlite3_busy_timeout(db_, static_cast<int>(busy_timeout.count()));
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "set busy timeout");
  if (mode == AccessMode::kReadOnly) {
    // Touches the file, so that "not a database" shows up here rather than at the first query.
    Result<int64_t> version = query_int("PRAGMA user_version", "read schema version");
    if (!version) return version.status();
    return exec("PRAGMA query_only = ON", "set query_only");
  }
  // journal_mode answers with the mode it ended up in: a file system without shared memory
  // support keeps the old one.
  Result<std::string> journal_mode =
      first_text(db_, "PRAGMA journal_mode = WAL", "set journal mode");
  if (!journal_mode) return journal_mode.status();
  if (*journal_mode != "wal") {
    return io_error("set journal mode: the file stays in '" + *journal_mode + "' mode, not WAL");
  }
  // FULL: a commit is on disk (the WAL synced) before it is acknowledged, so it survives a power
  // cut; NORMAL would only keep the database consistent.
  return exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", "configure connection");
}

Connection::Connection(Connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Connection::~Connection() {
  // close_v2 defers the close until the last statement is finalized, whatever the order of
  // destruction of their owners.
  sqlite3_close_v2(db_);
}

Status Connection::exec(const std::string& sql, std::string_view operation) {
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, operation);
  return Status::ok();
}

Result<int64_t> Connection::query_int(const std::string& sql, std::string_view operation) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  int64_t value = 0;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, operation);
  return value;
}

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
int64_t Connection::changes() const { return sqlite3_changes64(db_); }
int64_t Connection::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace labsweep::store
