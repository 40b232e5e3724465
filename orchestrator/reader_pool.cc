#include "orchestrator/reader_pool.h"

#include <utility>

namespace labsweep::orchestrator {

ReaderPool::ReaderPool(std::filesystem::path database) : database_(std::move(database)) {}

ReaderPool::Lease::~Lease() {
  if (reader_) pool_->give_back(std::move(reader_));
}

Result<ReaderPool::Lease> ReaderPool::acquire() {
  {
    MutexLock lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<store::StoreReader> reader = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(reader));
    }
  }
  // Opening touches the file system; do it outside the lock.
  Result<std::unique_ptr<store::StoreReader>> opened = store::StoreReader::open(database_);
  if (!opened) return opened.status();
  return Lease(*this, std::move(*opened));
}

void ReaderPool::give_back(std::unique_ptr<store::StoreReader> reader) {
  MutexLock lock(mu_);
  idle_.push_back(std::move(reader));
}

}  // namespace labsweep::orchestrator
