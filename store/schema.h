#pragma once

// The store's schema as an ordered list of forward-only migrations (docs/storage.md):
// migration N brings a database from version N-1 to N, and the version is kept in
// PRAGMA user_version. A fresh file is version 0.

#include <cstdint>
#include <span>
#include <string_view>

#include "base/status.h"
#include "store/connection.h"

namespace labsweep::store {

// The migrations this build knows, in order; the schema version it writes is their count.
std::span<const std::string_view> migrations();
int64_t current_schema_version();

// Brings the database to version `steps.size()`: each missing step runs in its own transaction
// together with the version bump, so a failing step leaves the database at the last version
// that committed. A database newer than `steps.size()` is refused and left untouched.
Status migrate(Connection& db, std::span<const std::string_view> steps);

Result<int64_t> schema_version(Connection& db);

// Ok when the database is at exactly `expected`; else an error that says which way it is off.
// For connections that may not migrate (readers).
Status check_schema_version(Connection& db, int64_t expected);

}  // namespace labsweep::store
