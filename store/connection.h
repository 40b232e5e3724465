#pragma once

// The move-only owner of one SQLite connection (`sqlite3*`), opened with the settings that
// docs/storage.md requires. Like SQLite's own handle, a Connection must be used by one thread
// at a time.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"

struct sqlite3;

namespace labsweep::store {

enum class AccessMode {
  kReadWrite,  // creates the file; WAL journal, synchronous=FULL, foreign keys enforced
  kReadOnly,   // the file must exist; any write is refused
};

class Connection {
 public:
  // Opens `path`. Both modes wait up to `busy_timeout` for a lock instead of failing at once.
  // Fails when the file cannot be opened, is not a database, or (kReadWrite) cannot be put in
  // WAL mode, or when the SQLite library is older than 3.37 (STRICT tables, RETURNING).
  static Result<Connection> open(const std::filesystem::path& path, AccessMode mode,
                                 std::chrono::milliseconds busy_timeout);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  sqlite3* get() const { return db_; }
  const std::filesystem::path& path() const { return path_; }

  // Runs SQL that returns no rows of interest (schema steps, pragmas, BEGIN/COMMIT), which may
  // hold several statements. An error reads "<operation>: <SQLite's message>".
  Status exec(const std::string& sql, std::string_view operation);
  // The first column of the first row of `sql` as an integer (pragmas such as user_version).
  Result<int64_t> query_int(const std::string& sql, std::string_view operation);

  // True between BEGIN and COMMIT/ROLLBACK (SQLite may end a transaction by itself on some
  // errors, which this then reports).
  bool in_transaction() const;
  int64_t changes() const;
  int64_t last_insert_rowid() const;

 private:
  Connection(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  Status configure(AccessMode mode, std::chrono::milliseconds busy_timeout);

  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace labsweep::store
