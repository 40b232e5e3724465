#pragma once

// Store readers for the HTTP threads. A StoreReader serialises its calls, so each request
// leases a reader of its own: readers are opened when every open one is in use and kept for
// later requests, so there are never more than the requests served at once. Thread-safe.

#include <filesystem>
#include <memory>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "store/store_reader.h"

namespace labsweep::orchestrator {

class ReaderPool {
 public:
  // The database must exist at the current schema version (the writer opened it first).
  explicit ReaderPool(std::filesystem::path database);

  // A reader for one request's use, given back to the pool when the lease ends.
  class Lease {
   public:
    Lease(ReaderPool& pool, std::unique_ptr<store::StoreReader> reader)
        : pool_(&pool), reader_(std::move(reader)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    store::StoreReader* operator->() const { return reader_.get(); }
    store::StoreReader& operator*() const { return *reader_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<store::StoreReader> reader_;
  };

  // The pool must outlive the lease.
  Result<Lease> acquire() EXCLUDES(mu_);

 private:
  void give_back(std::unique_ptr<store::StoreReader> reader) EXCLUDES(mu_);

  const std::filesystem::path database_;
  Mutex mu_;
  std::vector<std::unique_ptr<store::StoreReader>> idle_ GUARDED_BY(mu_);
};

}  // namespace labsweep::orchestrator
