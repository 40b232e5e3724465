// Grid search (reference §3): the points of the grid in order, skipping those already used.

#include "sweeps/search/grid_space.h"
#include "sweeps/search/methods.h"
#include "sweeps/search/suggestion_indexes.h"

namespace labsweep::sweeps {
namespace {

class GridSearch final : public SearchMethod {
 public:
  explicit GridSearch(const SweepSpec& spec) : space_(spec.parameters) {}

  std::optional<Suggestion> next() override {
    std::optional<uint64_t> index = indexes_.take(space_.size());
    if (!index) return std::nullopt;
    return Suggestion{*index, space_.point(*index)};
  }

  void mark_used(uint64_t index) override { indexes_.mark_used(index); }

  std::optional<uint64_t> size() const override { return space_.size(); }

 private:
  GridSpace space_;
  SuggestionIndexes indexes_;
};

}  // namespace

std::unique_ptr<SearchMethod> make_grid_search(const SweepSpec& spec, uint64_t /*seed*/) {
  return std::make_unique<GridSearch>(spec);
}

}  // namespace labsweep::sweeps
