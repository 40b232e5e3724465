#include "agent/stderr_tail.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;

TEST(StderrTailTest, ASmallFileIsKeptWhole) {
  TempDir dir;
  EXPECT_EQ(stderr_tail(dir.write("e", "a\nb\n"), 100), "a\nb\n");
  EXPECT_EQ(stderr_tail(dir.write("e", ""), 100), "");
  EXPECT_EQ(stderr_tail(dir.path() / "missing", 100), "");
}

TEST(StderrTailTest, StartsAtALineBoundary) {
  TempDir dir;
  // The last 10 bytes are "333\n4444\n" plus one byte of "22": that partial line goes.
  EXPECT_EQ(stderr_tail(dir.write("e", "1111\n2222\n333\n4444\n"), 10), "333\n4444\n");
  // Exactly at a boundary: nothing is cut.
  EXPECT_EQ(stderr_tail(dir.write("e", "1111\n2222\n333\n4444\n"), 14), "2222\n333\n4444\n");
}

TEST(StderrTailTest, OneLongLineKeepsItsEnd) {
  TempDir dir;
  EXPECT_EQ(stderr_tail(dir.write("e", "abcdefghij\n"), 4), "hij\n");
  EXPECT_EQ(stderr_tail(dir.write("e", "abcdefghij"), 4), "ghij");
}

}  // namespace
}  // namespace labsweep::agent
