#pragma once

// Prepared statements kept for the life of a connection: each SQL text is prepared once and
// handed out again on every use. Used by one thread at a time, like the connection.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "base/status.h"
#include "store/connection.h"
#include "store/statement.h"

namespace labsweep::store {

// The use of a cached statement for one query: resets it on destruction, so that a statement
// read only partly never keeps a read snapshot (and the WAL) pinned.
class StatementLease {
 public:
  explicit StatementLease(Statement& statement) : statement_(&statement) {}
  StatementLease(StatementLease&& other) noexcept
      : statement_(std::exchange(other.statement_, nullptr)) {}
  StatementLease& operator=(StatementLease&&) = delete;
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  ~StatementLease() {
    if (statement_) statement_->reset();
  }

  Statement& get() { return *statement_; }

 private:
  Statement* statement_;
};

class StatementCache {
 public:
  // `db` must outlive the cache.
  explicit StatementCache(Connection& db) : db_(db) {}

  // The statement for `sql`, prepared on first use. One lease per SQL text at a time.
  Result<StatementLease> lease(std::string_view sql);
  size_t size() const { return statements_.size(); }

 private:
  // Looks up a string_view without building a std::string.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>()(sql); }
  };

  Connection& db_;
  std::unordered_map<std::string, Statement, SqlHash, std::equal_to<>> statements_;
};

}  // namespace labsweep::store
