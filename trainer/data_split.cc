#include "trainer/data_split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "trainer/counter_rng.h"

namespace labsweep::trainer {
namespace {

// The split's own seed, not the run's: every trial of a sweep validates on the same rows.
constexpr uint64_t kSplitSeed = 0x5eed'0f'5b'11c3ULL;
constexpr uint64_t kSplitStream = 0xda7a;

// A Fisher-Yates shuffle of 0..n-1 under kSplitSeed.
std::vector<int32_t> fixed_permutation(int n) {
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  for (int i = n - 1; i > 0; --i) {
    uint64_t j = counter_bits(kSplitSeed, kSplitStream, static_cast<uint64_t>(i)) %
                 static_cast<uint64_t>(i + 1);
    std::swap(order[static_cast<size_t>(i)], order[j]);
  }
  return order;
}

void normalise(Dataset& set, float mean, float scale) {
  for (float& v : set.x) v = (v - mean) * scale;
}

}  // namespace

Dataset take_rows(const Dataset& from, const std::vector<int32_t>& rows) {
  Dataset out;
  out.rows = static_cast<int>(rows.size());
  out.features = from.features;
  out.classes = from.classes;
  out.x.resize(rows.size() * static_cast<size_t>(from.features));
  out.y.resize(rows.size());
  size_t f = static_cast<size_t>(from.features);
  for (size_t i = 0; i < rows.size(); ++i) {
    size_t r = static_cast<size_t>(rows[i]);
    std::copy_n(from.x.begin() + static_cast<std::ptrdiff_t>(r * f), f,
                out.x.begin() + static_cast<std::ptrdiff_t>(i * f));
    out.y[i] = from.y[r];
  }
  return out;
}

Result<SplitData> split_and_normalise(Dataset full_train, Dataset test, double validation_fraction,
                                      int64_t limit_train) {
  if (full_train.features != test.features || full_train.classes != test.classes) {
    return invalid_argument("the training set has " + std::to_string(full_train.features) +
                            " features per row and the test set " + std::to_string(test.features));
  }
  int held_out = static_cast<int>(std::lround(validation_fraction * full_train.rows));
  if (held_out < 1 || held_out >= full_train.rows) {
    std::ostringstream message;
    message << "--validation-fraction=" << validation_fraction << " of " << full_train.rows
            << " training rows leaves no validation or no training rows";
    return invalid_argument(message.str());
  }
  std::vector<int32_t> order = fixed_permutation(full_train.rows);
  std::vector<int32_t> validation_rows(order.end() - held_out, order.end());
  order.resize(order.size() - static_cast<size_t>(held_out));
  if (limit_train > 0 && static_cast<int64_t>(order.size()) > limit_train) {
    order.resize(static_cast<size_t>(limit_train));
  }
  SplitData data;
  data.train = take_rows(full_train, order);
  data.validation = take_rows(full_train, validation_rows);
  data.test = std::move(test);
  double sum = 0;
  double squares = 0;
  for (float v : data.train.x) {
    sum += v;
    squares += static_cast<double>(v) * v;
  }
  double n = std::max<double>(1, static_cast<double>(data.train.x.size()));
  double mean = sum / n;
  double variance = std::max(0.0, squares / n - mean * mean);
  data.mean = static_cast<float>(mean);
  data.scale = variance > 1e-12 ? static_cast<float>(1.0 / std::sqrt(variance)) : 1.0f;
  for (Dataset* set : {&data.train, &data.validation, &data.test}) {
    normalise(*set, data.mean, data.scale);
  }
  return data;
}

}  // namespace labsweep::trainer
