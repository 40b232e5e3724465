#include "sweeps/search/suggestion_indexes.h"

#include <gtest/gtest.h>

#include <optional>

namespace labsweep::sweeps {
namespace {

TEST(SuggestionIndexesTest, HandsOutIndexesInOrder) {
  SuggestionIndexes indexes;
  EXPECT_EQ(indexes.take(), 0u);
  EXPECT_EQ(indexes.take(), 1u);
  EXPECT_EQ(indexes.take(), 2u);
}

TEST(SuggestionIndexesTest, SkipsUsedIndexesWhereverTheyWereMarked) {
  SuggestionIndexes indexes;
  indexes.mark_used(0);
  indexes.mark_used(2);
  indexes.mark_used(5);
  EXPECT_EQ(indexes.take(), 1u);
  EXPECT_EQ(indexes.take(), 3u);
  indexes.mark_used(1);  // behind the cursor already: changes nothing
  indexes.mark_used(4);
  EXPECT_EQ(indexes.take(), 6u);
  EXPECT_EQ(indexes.take(), 7u);
}

TEST(SuggestionIndexesTest, StopsAtTheLimitWithoutPassingIt) {
  SuggestionIndexes indexes;
  indexes.mark_used(1);
  EXPECT_EQ(indexes.take(3), 0u);
  EXPECT_EQ(indexes.take(3), 2u);
  EXPECT_EQ(indexes.take(3), std::nullopt);
  EXPECT_EQ(indexes.take(3), std::nullopt);
  EXPECT_EQ(indexes.take(4), 3u);  // a larger limit goes on from where it stopped
  indexes.mark_used(4);
  EXPECT_EQ(indexes.take(5), std::nullopt);  // 4 is used, and 5 is past the limit
}

}  // namespace
}  // namespace labsweep::sweeps
