#include "store/statement_cache.h"

namespace labsweep::store {

Result<StatementLease> StatementCache::lease(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    Result<Statement> prepared = Statement::prepare(db_, sql);
    if (!prepared) return prepared.status();
    it = statements_.emplace(std::string(sql), std::move(prepared).value()).first;
  }
  return StatementLease(it->second);
}

}  // namespace labsweep::store
