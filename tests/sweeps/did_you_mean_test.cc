#include "sweeps/did_you_mean.h"

#include <gtest/gtest.h>

namespace labsweep::sweeps {
namespace {

constexpr std::string_view kKeys[] = {"parameters", "program", "method", "metric",
                                      "max_concurrent"};

TEST(DidYouMeanTest, SuggestsCloseKeys) {
  EXPECT_EQ(closest_match("paramters", kKeys), "parameters");
  EXPECT_EQ(closest_match("mehtod", kKeys), "method");  // a transposition is one edit
  EXPECT_EQ(closest_match("max_concurent", kKeys), "max_concurrent");
  EXPECT_EQ(did_you_mean("metirc", kKeys), " (did you mean 'metric'?)");
}

TEST(DidYouMeanTest, StaysQuietForUnrelatedWords) {
  EXPECT_EQ(closest_match("tune", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("x", kKeys), std::nullopt);
  EXPECT_EQ(did_you_mean(std::string(1000, 'a'), kKeys), "");
}

}  // namespace
}  // namespace labsweep::sweeps
