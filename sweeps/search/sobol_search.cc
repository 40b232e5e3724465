// Sobol' search (labsweep.search: sobol): scrambled quasi-random points, which cover the space
// more evenly than independent draws. Suggestion k is point k of the Sobol' sequence (Joe and
// Kuo's direction numbers, through Boost.Random), the origin being point 0, one dimension per
// non-constant parameter in SweepSpec order; each coordinate is Owen-scrambled with a key drawn
// from the sweep's seed and its dimension, then decoded by the parameter's inverse CDF
// (sample_at). The first 2^m suggestions therefore put exactly one value in each of the 2^m
// equal-probability cells of every parameter.

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <optional>

#include "sweeps/sampler.h"
#include "sweeps/search/methods.h"
#include "sweeps/search/owen_scramble.h"
#include "sweeps/search/suggestion_indexes.h"

namespace labsweep::sweeps {
namespace {

// Separates the scrambling keys from the streams of random search that share the seed.
constexpr uint64_t kScrambleDomain = 0x736f626f6c2d6f77ULL;

class SobolSearch final : public SearchMethod {
 public:
  SobolSearch(const SweepSpec& spec, uint64_t seed) : spec_(spec), seed_(seed) {
    for (size_t j = 0; j < spec.parameters.size(); ++j) {
      if (spec.parameters[j].distribution != Distribution::kConstant) searched_.push_back(j);
    }
    size_t dimension =
        std::min<size_t>(searched_.size(), boost::random::default_sobol_table::max_dimension);
    if (dimension > 0) engine_.emplace(dimension);
    for (size_t d = 0; d < dimension; ++d) {
      keys_.push_back(mix64(mix64(seed ^ kScrambleDomain) + d));
    }
  }

  std::optional<Suggestion> next() override {
    uint64_t index = *indexes_.take();
    return Suggestion{index, point(index)};
  }

  void mark_used(uint64_t index) override { indexes_.mark_used(index); }

  std::optional<uint64_t> size() const override { return std::nullopt; }

 private:
  // Suggestion `index`: constants copied, every searched parameter decoded from its coordinate.
  std::vector<Value> point(uint64_t index) {
    std::vector<Value> values;
    values.reserve(spec_.parameters.size());
    for (const Parameter& p : spec_.parameters) values.push_back(p.value);
    std::vector<uint64_t> digits = coordinates(index);
    for (size_t d = 0; d < searched_.size(); ++d) {
      const Parameter& p = spec_.parameters[searched_[d]];
      values[searched_[d]] = sample_at(p, quantile(index, d, digits));
    }
    return values;
  }

  // The unscrambled point `index` as 64-bit fractions. Boost's sequence leaves out the origin:
  // its vector n is point n + 1.
  std::vector<uint64_t> coordinates(uint64_t index) {
    std::vector<uint64_t> digits(keys_.size(), 0);
    if (index == 0 || !engine_) return digits;
    engine_->seed(index - 1);
    for (uint64_t& x : digits) x = (*engine_)();
    return digits;
  }

  // The quantile of dimension d in point `index`, from the point's unscrambled `digits`.
  double quantile(uint64_t index, size_t d, const std::vector<uint64_t>& digits) const {
    if (d < digits.size()) return unit_interval(owen_scramble(digits[d], keys_[d]));
    // Past the 3,667 dimensions of Joe and Kuo's table: the parameter's draw in random search
    // (sample_parameters), so that it is still reproducible from the seed and the index.
    return unit_interval(mix64(mix64(mix64(seed_) ^ index) + searched_[d]));
  }

  const SweepSpec& spec_;
  uint64_t seed_;
  std::vector<size_t> searched_;  // the non-constant parameters, one dimension each
  std::vector<uint64_t> keys_;    // one scrambling key per dimension
  std::optional<boost::random::sobol> engine_;
  SuggestionIndexes indexes_;
};

}  // namespace

std::unique_ptr<SearchMethod> make_sobol_search(const SweepSpec& spec, uint64_t seed) {
  return std::make_unique<SobolSearch>(spec, seed);
}

}  // namespace labsweep::sweeps
