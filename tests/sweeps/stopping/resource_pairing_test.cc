#include "sweeps/stopping/resource_pairing.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace labsweep::sweeps {
namespace {

std::optional<Progress> pair(ResourcePairing& pairing, int64_t trial, std::string metric,
                             int64_t step, double value) {
  return pairing.pair({trial, std::move(metric), step, value});
}

void expect_progress(const std::optional<Progress>& p, double resource, double value) {
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->resource, resource);
  EXPECT_EQ(p->value, value);
}

TEST(ResourcePairingTest, TheStepIsTheDefaultAxis) {
  ResourcePairing pairing("loss", "");
  EXPECT_FALSE(pairing.named());
  EXPECT_EQ(pairing.resource(), "step");
  EXPECT_EQ(pairing.metrics(), std::vector<std::string>{"loss"});
  expect_progress(pair(pairing, 1, "loss", 7, 0.5), 7, 0.5);
  EXPECT_FALSE(pair(pairing, 1, "acc", 7, 0.5));
}

TEST(ResourcePairingTest, PairsByStepInEitherOrderAndKeepsTheFirstValue) {
  ResourcePairing pairing("loss", "epoch");
  EXPECT_EQ(pairing.metrics(), (std::vector<std::string>{"loss", "epoch"}));
  EXPECT_FALSE(pair(pairing, 1, "loss", 10, 0.5));
  EXPECT_FALSE(pair(pairing, 1, "loss", 10, 0.9));  // the same step again: the first counts
  EXPECT_FALSE(pair(pairing, 2, "epoch", 10, 3));   // another trial's step 10
  EXPECT_FALSE(pair(pairing, 1, "loss", 11, 0.4));
  EXPECT_EQ(pairing.waiting(), 3u);
  expect_progress(pair(pairing, 1, "epoch", 10, 1), 1, 0.5);
  expect_progress(pair(pairing, 2, "loss", 10, 0.7), 3, 0.7);  // the resource came first
  EXPECT_FALSE(pair(pairing, 1, "other", 11, 1));
  EXPECT_EQ(pairing.waiting(), 1u);
  pairing.forget(1);
  EXPECT_EQ(pairing.waiting(), 0u);
  EXPECT_FALSE(pair(pairing, 1, "epoch", 11, 2));  // its loss of step 11 was dropped
}

TEST(ResourcePairingTest, AResourceThatIsTheMetricPairsWithItself) {
  ResourcePairing pairing("score", "score");
  EXPECT_EQ(pairing.metrics(), std::vector<std::string>{"score"});
  expect_progress(pair(pairing, 1, "score", 0, 3.5), 3.5, 3.5);
}

TEST(ResourcePairingTest, ResourceTextShowsWholeNumbersWithoutAFraction) {
  EXPECT_EQ(resource_text(12), "12");
  EXPECT_EQ(resource_text(-3), "-3");
  EXPECT_EQ(resource_text(2.5), "2.5");
  EXPECT_EQ(resource_text(1e20), "1e+20");
  EXPECT_EQ(resource_text(std::numeric_limits<double>::infinity()), "inf");
}

}  // namespace
}  // namespace labsweep::sweeps
