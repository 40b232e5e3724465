#include "trainer/counter_rng.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>

namespace labsweep::trainer {
namespace {

TEST(CounterRngTest, ADrawIsAPureFunctionOfSeedStreamAndIndex) {
  EXPECT_EQ(counter_bits(7, 3, 11), counter_bits(7, 3, 11));
  EXPECT_EQ(counter_uniform(7, 3, 11), counter_uniform(7, 3, 11));
  EXPECT_NE(counter_bits(7, 3, 11), counter_bits(8, 3, 11));
  EXPECT_NE(counter_bits(7, 3, 11), counter_bits(7, 4, 11));
  EXPECT_NE(counter_bits(7, 3, 11), counter_bits(7, 3, 12));
}

TEST(CounterRngTest, UniformsLieInZeroToOneAndSpreadEvenly) {
  constexpr int kDraws = 200000, kBins = 20;
  std::array<int, kBins> bins{};
  double sum = 0;
  for (int i = 0; i < kDraws; ++i) {
    float u = counter_uniform(42, dropout_stream(1, 2, 0), i);
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
    ++bins[static_cast<int>(u * kBins)];
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.005);
  // Each bin expects 10,000 draws with a standard deviation near 97: 6% is over six sigmas.
  for (int count : bins) EXPECT_NEAR(count, kDraws / kBins, 600);
}

TEST(CounterRngTest, NeighbouringStreamsAreUncorrelated) {
  constexpr int kDraws = 100000;
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < kDraws; ++i) {
    double x = counter_uniform(5, dropout_stream(0, 0, 0), i);
    double y = counter_uniform(5, dropout_stream(0, 0, 1), i);
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  double cov = sxy / kDraws - (sx / kDraws) * (sy / kDraws);
  double var_x = sxx / kDraws - (sx / kDraws) * (sx / kDraws);
  double var_y = syy / kDraws - (sy / kDraws) * (sy / kDraws);
  EXPECT_LT(std::abs(cov / std::sqrt(var_x * var_y)), 0.02);
}

TEST(CounterRngTest, DropoutStreamsOfDifferentBatchesAndLayersNeverMeet) {
  std::set<uint64_t> streams;
  for (uint64_t epoch = 0; epoch < 20; ++epoch) {
    for (uint64_t batch = 0; batch < 500; ++batch) {
      for (uint64_t layer = 0; layer < 8; ++layer) {
        ASSERT_TRUE(streams.insert(dropout_stream(epoch, batch, layer)).second)
            << epoch << " " << batch << " " << layer;
      }
    }
  }
  // Initialisation streams are small numbers; dropout streams have the top bit set.
  EXPECT_EQ(streams.count(init_stream(0, 0)), 0u);
  EXPECT_EQ(streams.count(init_stream(3, 1)), 0u);
}

}  // namespace
}  // namespace labsweep::trainer
