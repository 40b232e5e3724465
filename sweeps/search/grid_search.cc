// Grid search (reference §3): the points of the grid in order, skipping those already used.

#include <unordered_set>

#include "sweeps/search/grid_space.h"
#include "sweeps/search/methods.h"

namespace labsweep::sweeps {
namespace {

class GridSearch final : public SearchMethod {
 public:
  explicit GridSearch(const SweepSpec& spec) : space_(spec.parameters) {}

  std::optional<Suggestion> next() override {
    while (cursor_ < space_.size() && used_.count(cursor_)) used_.erase(cursor_++);
    if (cursor_ >= space_.size()) return std::nullopt;
    Suggestion s{cursor_, space_.point(cursor_)};
    ++cursor_;
    return s;
  }

  void mark_used(uint64_t index) override {
    if (index >= cursor_) used_.insert(index);
  }

  std::optional<uint64_t> size() const override { return space_.size(); }

 private:
  GridSpace space_;
  uint64_t cursor_ = 0;
  std::unordered_set<uint64_t> used_;  // used points ahead of the cursor
};

}  // namespace

std::unique_ptr<SearchMethod> make_grid_search(const SweepSpec& spec, uint64_t /*seed*/) {
  return std::make_unique<GridSearch>(spec);
}

}  // namespace labsweep::sweeps
