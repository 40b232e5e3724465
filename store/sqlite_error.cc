#include "store/sqlite_error.h"

#include <sqlite3.h>

#include <string>

namespace labsweep::store {
namespace {

StatusCode code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return StatusCode::kFailedPrecondition;
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
    case SQLITE_NOMEM:
    case SQLITE_INTERNAL:
      return StatusCode::kInternal;
    default:
      return StatusCode::kIoError;
  }
}

}  // namespace

Status sqlite_error(sqlite3* db, int rc, std::string_view operation) {
  // sqlite3_errmsg describes the most recent failure on the connection; a code that did not
  // come from the connection (a misuse caught before it) is described by the code itself.
  const char* message = db && sqlite3_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string text(operation);
  if (!text.empty()) text += ": ";
  text += message;
  return Status(code_for(rc), std::move(text));
}

Status with_context(std::string_view context, const Status& status) {
  if (status.is_ok()) return status;
  std::string text(context);
  text += ": ";
  text += status.message();
  return Status(status.code(), std::move(text));
}

}  // namespace labsweep::store
