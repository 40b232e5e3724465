#pragma once

// What GET /sweeps/{id}/importance keeps between requests (docs/http-api.md): each sweep's
// parsed sweep file, read once (a sweep's file never changes), and its last answer with what
// it was computed from, so that a dashboard that asks every few seconds costs one computation
// per finished trial, not one per request. Thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "orchestrator/json_views.h"
#include "store/ids.h"
#include "store/records.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::orchestrator {

// What an importance answer depends on: the metric, its goal, and how many trials had
// finished (only finished trials are used, and their metrics no longer change).
struct ImportanceKey {
  std::string metric{};
  sweeps::Goal goal = sweeps::Goal::kMinimize;
  int64_t finished = 0;
  friend bool operator==(const ImportanceKey&, const ImportanceKey&) = default;
};

class ImportanceCache {
 public:
  // The sweep's file as read; nullptr when it no longer reads (another version accepted it).
  std::shared_ptr<const sweeps::SweepSpec> spec(const store::SweepRecord& sweep) EXCLUDES(mu_);

  // The answer kept for `sweep` if it was computed for `key` and was final.
  std::optional<Json> find(store::SweepId sweep, const ImportanceKey& key) EXCLUDES(mu_);
  // Keeps `answer` as the sweep's last one, in place of any other. An answer that left out a
  // finished trial for want of a value is not final: that trial's last points may commit after
  // its end, so the next request computes again.
  void keep(store::SweepId sweep, ImportanceKey key, Json answer, bool final) EXCLUDES(mu_);

 private:
  struct Entry {
    std::shared_ptr<const sweeps::SweepSpec> spec{};
    std::optional<ImportanceKey> key{};
    Json answer{};
    bool final = false;
  };
  Mutex mu_;
  std::unordered_map<store::SweepId, Entry> entries_ GUARDED_BY(mu_);
};

}  // namespace labsweep::orchestrator
