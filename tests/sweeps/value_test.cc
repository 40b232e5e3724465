#include "sweeps/value.h"

#include <gtest/gtest.h>

#include <cmath>

namespace labsweep::sweeps {
namespace {

TEST(ValueTest, KindsStayDistinct) {
  EXPECT_NE(Value(true), Value(1));
  EXPECT_NE(Value(3.0), Value(3));
  EXPECT_NE(Value("1"), Value(1));
  EXPECT_NE(Value(), Value(false));
  EXPECT_EQ(Value(3), Value(3));
}

TEST(ValueTest, FloatsCompareAsWritten) {
  EXPECT_EQ(Value(std::nan("")), Value(std::nan("")));
  EXPECT_EQ(Value(HUGE_VAL), Value(HUGE_VAL));
  EXPECT_NE(Value(-0.0), Value(0.0));
  EXPECT_EQ(Value(0.1), Value(0.1));
}

TEST(ValueTest, MapsCompareRegardlessOfOrder) {
  Value a(Map{{"x", Value(1)}, {"y", Value(2)}});
  Value b(Map{{"y", Value(2)}, {"x", Value(1)}});
  Value c(Map{{"y", Value(2)}, {"x", Value(1.0)}});
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(ValueTest, ListsCompareInOrder) {
  EXPECT_EQ(Value(List{Value(1), Value("a")}), Value(List{Value(1), Value("a")}));
  EXPECT_NE(Value(List{Value(1), Value("a")}), Value(List{Value("a"), Value(1)}));
}

TEST(ValueTest, FindLooksUpMapKeys) {
  Value m(Map{{"lr", Value(0.1)}});
  ASSERT_NE(m.find("lr"), nullptr);
  EXPECT_EQ(*m.find("lr"), Value(0.1));
  EXPECT_EQ(m.find("momentum"), nullptr);
}

TEST(ValueTest, NumbersExcludeBooleans) {
  EXPECT_TRUE(Value(1).is_number());
  EXPECT_TRUE(Value(1.5).is_number());
  EXPECT_FALSE(Value(true).is_number());
  EXPECT_DOUBLE_EQ(Value(2).as_number(), 2.0);
}

}  // namespace
}  // namespace labsweep::sweeps
