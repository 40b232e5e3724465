#include "sweeps/early_terminate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::errors_of;
using labsweep::testing::valid_spec;
using ::testing::ElementsAre;

// The reference's §6.2 examples.
TEST(EarlyTerminateTest, BandsFromMaxIter) {
  EXPECT_THAT(hyperband_bands_from_max_iter(27, 2, 3), ElementsAre(3, 9));
  EXPECT_THAT(hyperband_bands_from_max_iter(18, 2, 3), ElementsAre(2, 6));
  EXPECT_THAT(hyperband_bands_from_max_iter(10, 2, 3), ElementsAre(1, 3));
  EXPECT_THAT(hyperband_bands_from_max_iter(10, 3, 2), ElementsAre(1, 2, 5));
  EXPECT_THAT(hyperband_bands_from_max_iter(81, 3, 3), ElementsAre(3, 9, 27));
  EXPECT_THAT(hyperband_bands_from_max_iter(2, 3, 3), ElementsAre());
}

TEST(EarlyTerminateTest, BandsFromMinIter) {
  std::vector<int64_t> bands = hyperband_bands_from_min_iter(3, 3);
  ASSERT_GE(bands.size(), 4u);
  EXPECT_THAT(std::vector<int64_t>(bands.begin(), bands.begin() + 4), ElementsAre(3, 9, 27, 81));
  bands = hyperband_bands_from_min_iter(3, 2.5);
  EXPECT_THAT(std::vector<int64_t>(bands.begin(), bands.begin() + 4), ElementsAre(3, 7, 18, 46));
  // 100 bands in W&B; those past 64 bits can never be reached and are left out.
  EXPECT_EQ(hyperband_bands_from_min_iter(1, 1.1).size(), 100u);
}

std::string with(const std::string& et) {
  return "method: random\nmetric: {name: loss}\nprogram: t.py\nparameters: {a: {min: 0.0, max: "
         "1.0}}\nearly_terminate: " +
         et + "\n";
}

TEST(EarlyTerminateTest, ReadsTheSection) {
  SweepSpec spec = valid_spec(with("{type: hyperband, max_iter: 27, s: 2, eta: 3, strict: false}"));
  ASSERT_TRUE(spec.early_terminate);
  EXPECT_THAT(spec.early_terminate->bands, ElementsAre(3, 9));
  EXPECT_FALSE(spec.early_terminate->strict);
  EXPECT_TRUE(valid_spec(with("{type: hyperband, min_iter: 3}")).early_terminate->strict);
  // max_iter wins over min_iter.
  EXPECT_THAT(
      valid_spec(with("{type: hyperband, min_iter: 1, max_iter: 27, s: 2}")).early_terminate->bands,
      ElementsAre(3, 9));
}

TEST(EarlyTerminateTest, Errors) {
  EXPECT_THAT(errors_of(with("{type: hyperband}")),
              ElementsAre("5:18: invalid config for hyperband stopping: either \"max_iter\" or "
                          "\"min_iter\" must be specified"));
  EXPECT_THAT(errors_of(with("{type: hyperband, max_iter: 27}")),
              ElementsAre("5:46: early_terminate: 's' is a required property when 'max_iter' is "
                          "given"));
  EXPECT_THAT(errors_of(with("{type: median}")),
              ElementsAre("5:25: Invalid early stopping type median, must be one of "
                          "[\"hyperband\"]"));
  EXPECT_THAT(errors_of(with("{type: hyperband, min_iter: 3, eta: 1}")),
              ElementsAre("5:54: early_terminate: eta must be a number greater than 1, not 1"));
  EXPECT_THAT(errors_of(with("{type: hyperband, min_iter: 0}")),
              ElementsAre("5:46: early_terminate: min_iter must be an integer of at least 1, not "
                          "0"));
  EXPECT_THAT(errors_of(with("{type: hyperband, max_iter: 2, s: 1, eta: 3}")),
              ElementsAre("5:18: Bands must be an array of length at least 1. Try increasing s, "
                          "decreasing eta, or increasing min_iter."));
  EXPECT_THAT(errors_of(with("{min_iter: 3}")),
              ElementsAre("5:18: early terminate must be a dict with a \"type\" section"));
}

}  // namespace
}  // namespace labsweep::sweeps
