#include "orchestrator/importance_cache.h"

#include <utility>

#include "sweeps/sweep_reader.h"

namespace labsweep::orchestrator {

std::shared_ptr<const sweeps::SweepSpec> ImportanceCache::spec(const store::SweepRecord& sweep) {
  {
    MutexLock lock(mu_);
    auto it = entries_.find(sweep.id);
    if (it != entries_.end()) return it->second.spec;
  }
  // Read outside the lock: two threads may both read a new sweep; they get the same answer.
  sweeps::ReadResult read = sweeps::read_sweep(sweep.spec_text);
  std::shared_ptr<const sweeps::SweepSpec> spec;
  if (read.spec) spec = std::make_shared<const sweeps::SweepSpec>(std::move(*read.spec));
  MutexLock lock(mu_);
  return entries_.try_emplace(sweep.id, Entry{.spec = spec}).first->second.spec;
}

std::optional<Json> ImportanceCache::find(store::SweepId sweep, const ImportanceKey& key) {
  MutexLock lock(mu_);
  auto it = entries_.find(sweep);
  if (it == entries_.end() || !it->second.final || it->second.key != key) return std::nullopt;
  return it->second.answer;
}

void ImportanceCache::keep(store::SweepId sweep, ImportanceKey key, Json answer, bool final) {
  MutexLock lock(mu_);
  Entry& entry = entries_[sweep];
  entry.key = std::move(key);
  entry.answer = std::move(answer);
  entry.final = final;
}

}  // namespace labsweep::orchestrator
