#pragma once

// Turning SQLite's result codes into labsweep's Status (base/status.h).

#include <string_view>

#include "base/status.h"

struct sqlite3;

namespace labsweep::store {

// The Status for SQLite result code `rc`, reading "<operation>: <SQLite's message>", the
// message taken from `db` (or from the code alone when `db` is null). Constraint violations
// are kFailedPrecondition, misuse and SQL errors kInternal, everything else kIoError.
Status sqlite_error(sqlite3* db, int rc, std::string_view operation);

// `status` with "<context>: " in front of its message; an ok status is returned as it is.
Status with_context(std::string_view context, const Status& status);

}  // namespace labsweep::store
