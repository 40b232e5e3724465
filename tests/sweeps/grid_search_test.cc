#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "sweeps/python_format.h"
#include "sweeps/search/grid_space.h"
#include "sweeps/search/search_method.h"
#include "sweeps/trial_params.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;
using ::testing::ElementsAre;

SweepSpec grid(const std::string& parameters) {
  return valid_spec("method: grid\nprogram: t.py\nparameters:\n" + parameters);
}

// Every point of the grid, each as Python would print its run config.
std::vector<std::string> points(const SweepSpec& spec) {
  auto method = make_search_method(spec, 0);
  EXPECT_TRUE(method.is_ok());
  std::vector<std::string> out;
  EXPECT_EQ(spec.method, Method::kGrid);
  while (out.size() < 10'000) {
    auto s = (*method)->next();
    if (!s) break;
    out.push_back(python_str(nest_parameters(spec.parameters, s->values)));
  }
  return out;
}

TEST(GridSearchTest, LastParameterVariesFastestValuesInWrittenOrder) {
  // The reference's test_grid_search_anaconda1_order.
  SweepSpec spec = grid("  v2: {values: [1, 2, 3]}\n  v1: {values: [a, b, c, a]}\n");
  EXPECT_THAT(points(spec),
              ElementsAre("{'v1': 'a', 'v2': 1}", "{'v1': 'a', 'v2': 2}", "{'v1': 'a', 'v2': 3}",
                          "{'v1': 'b', 'v2': 1}", "{'v1': 'b', 'v2': 2}", "{'v1': 'b', 'v2': 3}",
                          "{'v1': 'c', 'v2': 1}", "{'v1': 'c', 'v2': 2}", "{'v1': 'c', 'v2': 3}"));
}

TEST(GridSearchTest, DuplicatesAreDroppedFromSixByThree) {
  SweepSpec spec = grid("  a: {values: [1, 2, 1, 3, 4, 5, 2]}\n  b: {values: [x, y, z]}\n");
  EXPECT_EQ(points(spec).size(), 15u);
}

List dedup(const std::string& values) {
  SweepSpec spec = grid("  a: {values: " + values + "}\n");
  return deduplicate_grid_values(spec.parameters[0].values);
}

std::string dedup_text(const std::string& values) { return python_repr(Value(dedup(values))); }

TEST(GridSearchTest, DuplicateKeepsFirstPlaceButLastValue) {
  EXPECT_EQ(dedup_text("[32, 32.0, 64]"), "[32.0, 64]");
  EXPECT_EQ(dedup_text("[32.0, 64, 32]"), "[32, 64]");
  EXPECT_EQ(dedup_text("[3000000.0, 3000000]"), "[3000000]");
}

TEST(GridSearchTest, BoolAndIntStayDistinct) {
  EXPECT_EQ(dedup_text("[true, 1, false, 0, '1']"), "[True, 1, False, 0, '1']");
}

TEST(GridSearchTest, NanEqualsNan) { EXPECT_EQ(dedup("[.nan, 1, .nan, .inf, .inf]").size(), 3u); }

TEST(GridSearchTest, IntegralFloatsEqualIntsOnlyAtTheTopLevel) {
  EXPECT_EQ(dedup_text("[[32.0], [32]]"), "[[32.0], [32]]");
  EXPECT_EQ(dedup_text("[{a: 3.0}, {a: 3}]"), "[{'a': 3.0}, {'a': 3}]");
  EXPECT_EQ(dedup_text("[-0.0, 0]"), "[0]");
}

TEST(GridSearchTest, DictsCompareRegardlessOfKeyOrder) {
  EXPECT_EQ(dedup_text("[{a: 1, b: 2}, {b: 2, a: 1}]"), "[{'b': 2, 'a': 1}]");
  EXPECT_EQ(dedup_text("[[1, 2], [2, 1], [1, 2]]"), "[[1, 2], [2, 1]]");
}

TEST(GridSearchTest, IntUniformIsAnInclusiveRange) {
  EXPECT_THAT(points(grid("  n: {min: 3, max: 6}\n")),
              ElementsAre("{'n': 3}", "{'n': 4}", "{'n': 5}", "{'n': 6}"));
}

TEST(GridSearchTest, QUniformIsNumpyArange) {
  EXPECT_THAT(points(grid("  x: {distribution: q_uniform, min: 1, max: 1.3, q: 0.1}\n")),
              ElementsAre("{'x': 1.0}", "{'x': 1.1}", "{'x': 1.2000000000000002}",
                          "{'x': 1.3000000000000003}"));
  // The reference's test_q_uniform_bounded_grid_search.
  std::vector<std::string> p =
      points(grid("  x: {distribution: q_uniform, min: -9.211, max: 23.23, q: 2.341}\n"));
  ASSERT_EQ(p.size(), 14u);
  EXPECT_EQ(p[3], "{'x': -2.1879999999999997}");
  EXPECT_EQ(p[4], "{'x': 0.15300000000000047}");
  EXPECT_EQ(p[13], "{'x': 21.222}");
  // Integers only when min, max and q all are; an omitted q is the float 1.0.
  EXPECT_THAT(points(grid("  x: {distribution: q_uniform, min: 0, max: 9, q: 3}\n")),
              ElementsAre("{'x': 0}", "{'x': 3}", "{'x': 6}"));
  EXPECT_THAT(points(grid("  x: {distribution: q_uniform, min: 0, max: 3}\n")),
              ElementsAre("{'x': 0.0}", "{'x': 1.0}", "{'x': 2.0}"));
}

TEST(GridSearchTest, ConstantsAreCopiedIntoEveryPoint) {
  EXPECT_THAT(points(grid("  a: {value: 1}\n  b: {values: [x, y]}\n  c: {value: [1, 2]}\n")),
              ElementsAre("{'a': 1, 'b': 'x', 'c': [1, 2]}", "{'a': 1, 'b': 'y', 'c': [1, 2]}"));
  EXPECT_THAT(points(grid("  a: {value: 1}\n  b: {value: 2}\n")), ElementsAre("{'a': 1, 'b': 2}"));
}

TEST(GridSearchTest, NestedParametersRenest) {
  EXPECT_THAT(points(grid("  opt:\n    parameters:\n      lr: {values: [0.1, 0.01]}\n"
                          "      name: {value: adam}\n  bs: {value: 32}\n")),
              ElementsAre("{'bs': 32, 'opt': {'lr': 0.1, 'name': 'adam'}}",
                          "{'bs': 32, 'opt': {'lr': 0.01, 'name': 'adam'}}"));
}

TEST(GridSearchTest, HugeGridsAreLazyAndSizedAtOnce) {
  SweepSpec spec = grid(
      "  a: {min: 1, max: 10000}\n  b: {min: 1, max: 10000}\n  c: {values: [x, "
      "y]}\n");
  GridSpace space(spec.parameters);
  EXPECT_EQ(space.size(), 200'000'000u);
  std::vector<Value> last = space.point(space.size() - 1);
  EXPECT_EQ(last, (std::vector<Value>{Value(10000), Value(10000), Value("y")}));
  std::vector<Value> middle = space.point(2 * 10000 * 7 + 3);
  EXPECT_EQ(middle, (std::vector<Value>{Value(8), Value(2), Value("y")}));
}

TEST(GridSearchTest, GridsPast63BitsAreRefused) {
  auto errors = labsweep::testing::errors_of(
      "method: grid\nprogram: t.py\nparameters:\n  a: {min: 0, max: 4000000000}\n"
      "  b: {min: 0, max: 4000000000}\n  c: {min: 0, max: 4000000000}\n");
  EXPECT_THAT(errors,
              ElementsAre("the grid has more than 2^63 points; labsweep cannot enumerate it"));
}

TEST(GridSearchTest, ExtremeIntRangesDoNotOverflow) {
  SweepSpec spec = grid("  a: {min: -9223372036854775808, max: -9223372036854775806}\n");
  EXPECT_THAT(points(spec),
              ElementsAre("{'a': -9223372036854775808}", "{'a': -9223372036854775807}",
                          "{'a': -9223372036854775806}"));
}

TEST(GridSearchTest, UsedPointsAreSkippedOnResume) {
  SweepSpec spec = grid("  a: {values: [1, 2, 3, 4, 5]}\n");
  auto method = make_search_method(spec, 0);
  ASSERT_TRUE(method.is_ok());
  (*method)->mark_used(0);
  (*method)->mark_used(2);
  (*method)->mark_used(2);
  std::vector<uint64_t> indices;
  while (auto s = (*method)->next()) indices.push_back(s->index);
  EXPECT_THAT(indices, ElementsAre(1, 3, 4));
  EXPECT_EQ((*method)->size(), 5u);
}

TEST(GridSearchTest, RunCapLimitsThePlannedCount) {
  SweepSpec spec = valid_spec(
      "method: grid\nprogram: t.py\nrun_cap: 3\nparameters:\n  a: {values: "
      "[1, 2, 3, 4, 5]}\n");
  auto method = make_search_method(spec, 0);
  ASSERT_TRUE(method.is_ok());
  EXPECT_EQ(planned_trial_count(spec, **method), 3u);
}

}  // namespace
}  // namespace labsweep::sweeps
