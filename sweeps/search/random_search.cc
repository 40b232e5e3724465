// Random search (reference §2.4): every parameter drawn independently by inverse-CDF sampling.
// Draw k depends only on the seed and k, so a restarted orchestrator proposes the same trials.

#include "sweeps/sampler.h"
#include "sweeps/search/methods.h"
#include "sweeps/search/suggestion_indexes.h"

namespace labsweep::sweeps {
namespace {

class RandomSearch final : public SearchMethod {
 public:
  RandomSearch(const SweepSpec& spec, uint64_t seed) : spec_(spec), seed_(seed) {}

  std::optional<Suggestion> next() override {
    uint64_t index = *indexes_.take();
    return Suggestion{index, sample_parameters(spec_.parameters, seed_, index)};
  }

  void mark_used(uint64_t index) override { indexes_.mark_used(index); }

  std::optional<uint64_t> size() const override { return std::nullopt; }

 private:
  const SweepSpec& spec_;
  uint64_t seed_;
  SuggestionIndexes indexes_;
};

}  // namespace

std::unique_ptr<SearchMethod> make_random_search(const SweepSpec& spec, uint64_t seed) {
  return std::make_unique<RandomSearch>(spec, seed);
}

}  // namespace labsweep::sweeps
