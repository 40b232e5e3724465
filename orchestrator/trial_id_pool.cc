#include "orchestrator/trial_id_pool.h"

#include <utility>

namespace labsweep::orchestrator {

std::optional<store::TrialId> TrialIdPool::take() {
  if (next_ == end_) {
    next_ = std::exchange(spare_next_, 0);
    end_ = std::exchange(spare_end_, 0);
  }
  if (next_ == end_) return std::nullopt;
  return store::TrialId{next_++};
}

bool TrialIdPool::wants_block() const { return !asking_ && spare_next_ == spare_end_; }

std::optional<store::TrialId> TrialIdPool::first_unused() const {
  if (next_ != end_) return store::TrialId{next_};
  if (spare_next_ != spare_end_) return store::TrialId{spare_next_};
  return std::nullopt;
}

void TrialIdPool::add_block(store::TrialId first, int64_t count) {
  asking_ = false;
  if (next_ == end_) {
    next_ = first.value;
    end_ = first.value + count;
  } else {
    spare_next_ = first.value;
    spare_end_ = first.value + count;
  }
}

}  // namespace labsweep::orchestrator
