#pragma once

// Small deterministic data for the trainer's tests: features uniform in [-1, 1) drawn from
// counter_rng.h, labels from a fixed rule, so that every run sees the same numbers.

#include <cstdint>
#include <vector>

#include "trainer/counter_rng.h"
#include "trainer/dataset.h"

namespace labsweep::trainer::testing {

// `rows` rows of `features` features; labels uniform over `classes` (no structure).
inline Dataset random_dataset(int rows, int features, int classes, uint64_t seed) {
  Dataset data{rows, features, classes, {}, {}};
  for (int i = 0; i < rows * features; ++i) {
    data.x.push_back(2.0f * counter_uniform(seed, 1000, i) - 1.0f);
  }
  for (int r = 0; r < rows; ++r) {
    data.y.push_back(static_cast<int32_t>(counter_bits(seed, 1001, r) % classes));
  }
  return data;
}

// Two classes split by the sign of the features' sum, with a margin: linearly separable.
inline Dataset separable_dataset(int rows, int features, uint64_t seed) {
  Dataset data{0, features, 2, {}, {}};
  for (int i = 0; data.rows < rows; ++i) {
    std::vector<float> x;
    float sum = 0;
    for (int f = 0; f < features; ++f) {
      x.push_back(2.0f * counter_uniform(seed, 1002, i * features + f) - 1.0f);
      sum += x.back();
    }
    if (sum > -0.3f && sum < 0.3f) continue;
    data.x.insert(data.x.end(), x.begin(), x.end());
    data.y.push_back(sum > 0 ? 1 : 0);
    ++data.rows;
  }
  return data;
}

}  // namespace labsweep::trainer::testing
