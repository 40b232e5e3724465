#include "sweeps/analysis/random_forest.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace labsweep::sweeps::analysis {
namespace {

// SplitMix64: small, fast, and the same stream on every platform (std::shuffle and the
// standard distributions are not), so that a forest is reproducible anywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  size_t below(size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  uint64_t state_;
};

// The edges between a feature's value bins: between every two distinct values when there are
// few of them (a categorical index, a grid), else at quantiles of the values. Binning by rank
// makes the forest blind to monotone transforms of a feature, as exact splits would be.
std::vector<double> bin_cuts(const std::vector<double>& column, int bins) {
  std::vector<double> sorted;
  sorted.reserve(column.size());
  for (double x : column) {
    if (!std::isnan(x)) sorted.push_back(x);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> distinct = sorted;
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> cuts;
  if (distinct.size() <= static_cast<size_t>(bins)) {
    for (size_t k = 1; k < distinct.size(); ++k)
      cuts.push_back(distinct[k - 1] / 2 + distinct[k] / 2);
    return cuts;
  }
  const size_t m = sorted.size();
  for (int q = 1; q < bins; ++q) {
    size_t i = static_cast<size_t>(q) * m / static_cast<size_t>(bins);
    if (i == 0 || !(sorted[i - 1] < sorted[i])) continue;
    double cut = sorted[i - 1] / 2 + sorted[i] / 2;
    if (cuts.empty() || cuts.back() < cut) cuts.push_back(cut);
  }
  return cuts;
}

// A tree's prediction for the sample whose bins are `bins`, with `swapped_feature`'s bin
// replaced by `swapped_bin` (-1: none replaced).
template <typename Tree>
double walk(const Tree& tree, const uint16_t* bins, int32_t swapped_feature = -1,
            uint16_t swapped_bin = 0) {
  const auto* node = &tree[0];
  while (node->feature >= 0) {
    uint16_t bin = node->feature == swapped_feature ? swapped_bin : bins[node->feature];
    node = &tree[bin <= node->split ? node->left : node->right];
  }
  return node->value;
}

// What the trees say of the samples they did not train on, summed over the trees.
struct OutOfBag {
  std::vector<double> prediction_sum, predictions;  // per sample
  std::vector<double> error_increase;               // per feature, summed squared errors
  double scored = 0;                                // (tree, sample) pairs scored
};

// Adds one tree's out-of-bag errors: as it predicts, and with each feature shuffled among its
// out-of-bag samples (Breiman's permutation importance).
template <typename Tree>
void score_out_of_bag(const Tree& tree, const std::vector<uint16_t>& bins, size_t features,
                      std::span<const double> y, const std::vector<uint32_t>& out, Rng& rng,
                      OutOfBag& tally) {
  auto row = [&](uint32_t i) { return &bins[static_cast<size_t>(i) * features]; };
  double base = 0;
  for (uint32_t i : out) {
    const double p = walk(tree, row(i));
    tally.prediction_sum[i] += p;
    tally.predictions[i] += 1;
    base += (y[i] - p) * (y[i] - p);
  }
  std::vector<uint16_t> shuffled(out.size());
  for (size_t f = 0; f < features; ++f) {
    for (size_t k = 0; k < out.size(); ++k) shuffled[k] = row(out[k])[f];
    for (size_t k = out.size(); k > 1; --k) std::swap(shuffled[k - 1], shuffled[rng.below(k)]);
    double error = 0;
    for (size_t k = 0; k < out.size(); ++k) {
      const double p = walk(tree, row(out[k]), static_cast<int32_t>(f), shuffled[k]);
      error += (y[out[k]] - p) * (y[out[k]] - p);
    }
    tally.error_increase[f] += error - base;
  }
  tally.scored += static_cast<double>(out.size());
}

double variance(std::span<const double> y) {
  double mean = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double sum = 0;
  for (double v : y) sum += (v - mean) * (v - mean);
  return sum / static_cast<double>(y.size());
}

// A tree's bootstrap `sample` (its size of draws with replacement out of n) and `out`, at most
// `limit` of the samples it did not draw, chosen at random.
void draw_samples(Rng& rng, size_t n, size_t limit, std::vector<char>& drawn,
                  std::vector<uint32_t>& sample, std::vector<uint32_t>& out) {
  std::fill(drawn.begin(), drawn.end(), 0);
  for (uint32_t& i : sample) {
    i = static_cast<uint32_t>(rng.below(n));
    drawn[i] = 1;
  }
  out.clear();
  for (uint32_t i = 0; i < n; ++i) {
    if (!drawn[i]) out.push_back(i);
  }
  if (out.size() <= limit) return;
  for (size_t k = 0; k < limit; ++k) std::swap(out[k], out[k + rng.below(out.size() - k)]);
  out.resize(limit);
}

// 1 - MSE / variance over the samples some tree left out, each predicted by those trees.
double out_of_bag_r2(const OutOfBag& tally, std::span<const double> y) {
  const double var = variance(y);
  double error = 0, scored = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (tally.predictions[i] == 0) continue;
    const double p = tally.prediction_sum[i] / tally.predictions[i];
    error += (y[i] - p) * (y[i] - p);
    scored += 1;
  }
  if (!(var > 0) || scored == 0) return 0;
  return 1 - error / scored / var;
}

}  // namespace

// Grows one tree at a time on the binned samples: a node's best split comes from one pass
// over its samples that fills a histogram (count and sum of y) per feature and bin.
class RandomForest::Builder {
 public:
  Builder(const std::vector<uint16_t>& bins, size_t features, std::vector<int> bin_counts,
          std::span<const double> y, const ForestOptions& options)
      : bins_(bins),
        features_(features),
        bin_counts_(std::move(bin_counts)),
        stride_(static_cast<size_t>(*std::max_element(bin_counts_.begin(), bin_counts_.end()))),
        y_(y),
        options_(options),
        count_(features * stride_),
        sum_(features * stride_) {}

  Tree grow(std::vector<uint32_t>& samples) {
    Tree tree(1);
    struct Pending {
      int32_t node;
      size_t begin, end;
      int depth;
    };
    std::vector<Pending> stack{{0, 0, samples.size(), 0}};
    while (!stack.empty()) {
      Pending at = stack.back();
      stack.pop_back();
      Split split = best_split(samples, at.begin, at.end, at.depth);
      if (split.feature < 0) {
        tree[at.node].value = split.mean;
        continue;
      }
      auto middle = std::partition(
          samples.begin() + static_cast<ptrdiff_t>(at.begin),
          samples.begin() + static_cast<ptrdiff_t>(at.end),
          [&](uint32_t i) { return bins_[i * features_ + split.feature] <= split.bin; });
      const size_t mid = static_cast<size_t>(middle - samples.begin());
      const auto left = static_cast<int32_t>(tree.size());
      tree.resize(tree.size() + 2);
      tree[at.node] =
          Node{.feature = split.feature, .split = split.bin, .left = left, .right = left + 1};
      stack.push_back({left, at.begin, mid, at.depth + 1});
      stack.push_back({left + 1, mid, at.end, at.depth + 1});
    }
    return tree;
  }

 private:
  struct Split {
    int32_t feature = -1;  // -1: make a leaf
    uint16_t bin = 0;
    double mean = 0;
  };

  Split best_split(const std::vector<uint32_t>& samples, size_t begin, size_t end, int depth) {
    const double n = static_cast<double>(end - begin);
    double total = 0;
    for (size_t k = begin; k < end; ++k) total += y_[samples[k]];
    Split split{.mean = total / n};
    if (depth >= options_.max_depth || n < 2.0 * options_.min_leaf) return split;
    fill_histograms(samples, begin, end);
    // Maximising sum_L^2/n_L + sum_R^2/n_R minimises the children's squared error.
    const double parent = total * total / n;
    double best = parent + 1e-9 * std::abs(parent) + 1e-12;
    for (size_t f = 0; f < features_; ++f) {
      const double* count = &count_[f * stride_];
      const double* sum = &sum_[f * stride_];
      double n_left = 0, s_left = 0;
      for (int b = 0; b + 1 < bin_counts_[f]; ++b) {
        n_left += count[b];
        s_left += sum[b];
        const double n_right = n - n_left;
        if (n_left < options_.min_leaf) continue;
        if (n_right < options_.min_leaf) break;
        const double s_right = total - s_left;
        const double score = s_left * s_left / n_left + s_right * s_right / n_right;
        if (score > best) {
          best = score;
          split.feature = static_cast<int32_t>(f);
          split.bin = static_cast<uint16_t>(b);
        }
      }
    }
    return split;
  }

  void fill_histograms(const std::vector<uint32_t>& samples, size_t begin, size_t end) {
    for (size_t f = 0; f < features_; ++f) {
      std::fill_n(&count_[f * stride_], bin_counts_[f], 0.0);
      std::fill_n(&sum_[f * stride_], bin_counts_[f], 0.0);
    }
    for (size_t k = begin; k < end; ++k) {
      const uint32_t i = samples[k];
      const uint16_t* row = &bins_[static_cast<size_t>(i) * features_];
      const double y = y_[i];
      for (size_t f = 0; f < features_; ++f) {
        count_[f * stride_ + row[f]] += 1;
        sum_[f * stride_ + row[f]] += y;
      }
    }
  }

  const std::vector<uint16_t>& bins_;  // row-major: sample i's bins at [i * features_]
  const size_t features_;
  const std::vector<int> bin_counts_;  // per feature, including the missing-value bin 0
  const size_t stride_;
  const std::span<const double> y_;
  const ForestOptions& options_;
  std::vector<double> count_, sum_;  // per feature, per bin
};

uint16_t RandomForest::bin_of(size_t feature, double x) const {
  if (std::isnan(x)) return 0;
  const std::vector<double>& cuts = cuts_[feature];
  return static_cast<uint16_t>(1 + (std::lower_bound(cuts.begin(), cuts.end(), x) - cuts.begin()));
}

RandomForest RandomForest::fit(const std::vector<std::vector<double>>& columns,
                               std::span<const double> y, const ForestOptions& options) {
  const size_t features = columns.size();
  const size_t n = y.size();
  RandomForest forest;
  std::vector<int> bin_counts(features);
  for (size_t f = 0; f < features; ++f) {
    assert(columns[f].size() == n);
    forest.cuts_.push_back(bin_cuts(columns[f], options.bins));
    bin_counts[f] = static_cast<int>(forest.cuts_[f].size()) + 2;  // + missing, + last bin
  }
  forest.importance_.assign(features, 0.0);
  if (features == 0 || n == 0) return forest;
  std::vector<uint16_t> bins(n * features);
  for (size_t i = 0; i < n; ++i) {
    for (size_t f = 0; f < features; ++f) bins[i * features + f] = forest.bin_of(f, columns[f][i]);
  }
  Builder builder(bins, features, std::move(bin_counts), y, options);
  OutOfBag tally{.prediction_sum = std::vector<double>(n),
                 .predictions = std::vector<double>(n),
                 .error_increase = std::vector<double>(features)};
  std::vector<uint32_t> sample(std::min(n, options.max_samples)), out;
  std::vector<char> drawn(n);
  for (int t = 0; t < options.trees; ++t) {
    Rng rng(options.seed ^ (0xa0761d6478bd642fULL * static_cast<uint64_t>(t + 1)));
    draw_samples(rng, n, options.max_samples, drawn, sample, out);
    forest.trees_.push_back(builder.grow(sample));
    score_out_of_bag(forest.trees_.back(), bins, features, y, out, rng, tally);
  }
  if (tally.scored > 0) {
    for (size_t f = 0; f < features; ++f) {
      forest.importance_[f] = tally.error_increase[f] / tally.scored;
    }
  }
  forest.oob_r2_ = out_of_bag_r2(tally, y);
  return forest;
}

double RandomForest::predict(std::span<const double> sample) const {
  assert(sample.size() == cuts_.size());
  std::vector<uint16_t> bins(sample.size());
  for (size_t f = 0; f < sample.size(); ++f) bins[f] = bin_of(f, sample[f]);
  double sum = 0;
  for (const Tree& tree : trees_) sum += walk(tree, bins.data());
  return trees_.empty() ? 0 : sum / static_cast<double>(trees_.size());
}

}  // namespace labsweep::sweeps::analysis
