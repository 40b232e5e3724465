#include "store/gpu_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

TEST(GpuListTest, RoundTrips) {
  EXPECT_EQ(gpus_to_json(std::vector<int>{}), "[]");
  EXPECT_EQ(gpus_to_json(std::vector<int>{0, 3}), "[0,3]");
  EXPECT_THAT(gpus_from_json("[0,3]"), Optional(ElementsAre(0, 3)));
  EXPECT_THAT(gpus_from_json("[]"), Optional(IsEmpty()));
}

TEST(GpuListTest, AcceptsJsonSpacing) {
  EXPECT_THAT(gpus_from_json(" [ 1 , 2 ] "), Optional(ElementsAre(1, 2)));
  EXPECT_THAT(gpus_from_json("[ ]"), Optional(IsEmpty()));
}

TEST(GpuListTest, RefusesAnythingElse) {
  for (const char* bad :
       {"", "[", "]", "[1,]", "[,1]", "[-1]", "[1.5]", "[\"0\"]", "[1] x", "{}", "[99999999999]"}) {
    EXPECT_EQ(gpus_from_json(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace labsweep::store
