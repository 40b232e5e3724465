#pragma once

// The move-only owner of one prepared SQLite statement (`sqlite3_stmt*`). Used by one thread
// at a time, with the connection it was prepared on, which must outlive it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/connection.h"

struct sqlite3_stmt;

namespace labsweep::store {

class Statement {
 public:
  // Prepares exactly one SQL statement; text after it is an error.
  static Result<Statement> prepare(Connection& db, std::string_view sql);

  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds parameter `index` (1-based). A failed bind is remembered and returned by the next
  // step() or run(), so binds chain: stmt.bind(1, id).bind(2, name).
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
  Statement& bind(int index, double value);  // NaN is stored as NULL (SQLite has no NaN)
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::nullopt_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }

  // Steps once: true when a row is ready to be read, false when the statement is done.
  Result<bool> step();
  // Steps to the end, for a statement whose rows are not read.
  Status run();

  // Columns of the current row (0-based).
  bool is_null(int column) const;
  int64_t int64(int column) const;
  double real(int column) const;  // NULL reads as NaN
  std::string text(int column) const;
  std::optional<int64_t> optional_int64(int column) const;

  // Back to the start with every binding cleared, ready to run again; ends the statement's hold
  // on a read snapshot.
  void reset();

 private:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  void note_bind(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  Status bind_error_;
};

}  // namespace labsweep::store
