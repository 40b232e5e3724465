#include "sweeps/search/suggestion_indexes.h"

namespace labsweep::sweeps {

std::optional<uint64_t> SuggestionIndexes::take(uint64_t limit) {
  while (cursor_ < limit && used_.erase(cursor_)) ++cursor_;
  if (cursor_ >= limit) return std::nullopt;
  return cursor_++;
}

void SuggestionIndexes::mark_used(uint64_t index) {
  if (index >= cursor_) used_.insert(index);
}

}  // namespace labsweep::sweeps
