// Random search (reference §2.4): every parameter drawn independently by inverse-CDF sampling.
// Draw k depends only on the seed and k, so a restarted orchestrator proposes the same trials.

#include <unordered_set>

#include "sweeps/sampler.h"
#include "sweeps/search/methods.h"

namespace labsweep::sweeps {
namespace {

class RandomSearch final : public SearchMethod {
 public:
  RandomSearch(const SweepSpec& spec, uint64_t seed) : spec_(spec), seed_(seed) {}

  std::optional<Suggestion> next() override {
    while (used_.count(cursor_)) used_.erase(cursor_++);
    uint64_t index = cursor_++;
    return Suggestion{index, sample_parameters(spec_.parameters, seed_, index)};
  }

  void mark_used(uint64_t index) override {
    if (index >= cursor_) used_.insert(index);
  }

  std::optional<uint64_t> size() const override { return std::nullopt; }

 private:
  const SweepSpec& spec_;
  uint64_t seed_;
  uint64_t cursor_ = 0;
  std::unordered_set<uint64_t> used_;
};

}  // namespace

std::unique_ptr<SearchMethod> make_random_search(const SweepSpec& spec, uint64_t seed) {
  return std::make_unique<RandomSearch>(spec, seed);
}

}  // namespace labsweep::sweeps
