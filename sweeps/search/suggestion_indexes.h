#pragma once

// The suggestion indexes a search method hands out: 0, 1, 2, ... less those already used. A
// restarted orchestrator marks the index of every stored trial used before it asks for more
// (search_method.h), so that no suggestion is made twice.

#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_set>

namespace labsweep::sweeps {

class SuggestionIndexes {
 public:
  // The lowest index below `limit` that is neither handed out nor used, now handed out; nullopt
  // when every index below `limit` is taken (a grid's size).
  std::optional<uint64_t> take(uint64_t limit = std::numeric_limits<uint64_t>::max());

  void mark_used(uint64_t index);

 private:
  uint64_t cursor_ = 0;                // every index below it is taken
  std::unordered_set<uint64_t> used_;  // used indexes at or past the cursor
};

}  // namespace labsweep::sweeps
