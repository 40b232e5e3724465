#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <map>
#include <set>

#include "sweeps/sampler.h"
#include "sweeps/search/owen_scramble.h"
#include "sweeps/search/search_method.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;

SweepSpec sobol_spec(const std::string& parameters) {
  return valid_spec("method: random\nprogram: t.py\nlabsweep: {search: sobol}\nparameters:\n" +
                    parameters);
}

std::vector<Suggestion> first(const SweepSpec& spec, uint64_t seed, size_t n) {
  auto method = make_search_method(spec, seed);
  EXPECT_TRUE(method.is_ok());
  std::vector<Suggestion> out;
  for (size_t i = 0; i < n && method.is_ok(); ++i) {
    std::optional<Suggestion> s = (*method)->next();
    if (!s) break;
    out.push_back(std::move(*s));
  }
  EXPECT_EQ(out.size(), n);
  return out;
}

// Parameters uniform on [0, 1): their values are the (scrambled) coordinates themselves.
const std::string kUnitCube =
    "  a: {min: 0.0, max: 1.0}\n  b: {min: 0.0, max: 1.0}\n  c: {min: 0.0, max: 1.0}\n"
    "  d: {min: 0.0, max: 1.0}\n  e: {min: 0.0, max: 1.0}\n";

// The dyadic cell of width 2^-bits that holds coordinate `j` of suggestion `s`.
uint64_t cell(const Suggestion& s, size_t j, int bits) {
  return static_cast<uint64_t>(std::ldexp(s.values[j].as_float(), bits));
}

// Whether points [begin, begin + 2^(bits_x + bits_y)) of `points` put exactly one point in each
// cell of the grid of 2^bits_x by 2^bits_y cells over coordinates x and y.
bool one_per_cell(const std::vector<Suggestion>& points, size_t begin, size_t x, int bits_x,
                  size_t y, int bits_y) {
  std::set<std::pair<uint64_t, uint64_t>> seen;
  size_t n = size_t{1} << (bits_x + bits_y);
  for (size_t k = begin; k < begin + n; ++k) {
    if (!seen.insert({cell(points[k], x, bits_x), cell(points[k], y, bits_y)}).second) {
      return false;
    }
  }
  return true;
}

TEST(SobolSearchTest, BoostGivesJoeAndKuosPoints) {
  // Points 1 to 7 of the unscrambled sequence in three dimensions (Joe and Kuo's direction
  // numbers, Gray-code order, as scipy.stats.qmc.Sobol(scramble=False) lists them after its
  // point 0, the origin). Boost's sequence starts at point 1.
  const double kExpected[7][3] = {
      {0.5, 0.5, 0.5},       {0.75, 0.25, 0.25},    {0.25, 0.75, 0.75},   {0.375, 0.375, 0.625},
      {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375}};
  boost::random::sobol engine(3);
  for (const auto& point : kExpected) {
    for (double expected : point)
      EXPECT_EQ(std::ldexp(static_cast<double>(engine()), -64), expected);
  }
}

TEST(SobolSearchTest, OwenScrambleKeepsSharedLeadingDigits) {
  for (uint64_t i = 0; i < 2000; ++i) {
    uint64_t x = mix64(i);
    uint64_t y = x ^ (mix64(i + 7777) >> (i % 64));  // shares the first i % 64 digits with x
    uint64_t key = mix64(i * 31);
    EXPECT_EQ(std::countl_zero(owen_scramble(x, key) ^ owen_scramble(y, key)),
              std::countl_zero(x ^ y));
  }
  // It scrambles: the same fraction under other keys goes elsewhere, and 0 is not kept.
  std::set<uint64_t> images;
  for (uint64_t key = 0; key < 100; ++key) images.insert(owen_scramble(0, key) >> 40);
  EXPECT_GT(images.size(), 95u);
}

TEST(SobolSearchTest, EveryParameterIsStratifiedInEveryAlignedBlock) {
  SweepSpec spec = sobol_spec(kUnitCube);
  std::vector<Suggestion> points = first(spec, 11, 1024);
  for (int m = 0; m <= 10; ++m) {
    for (size_t begin = 0; begin < points.size(); begin += size_t{1} << m) {
      for (size_t j = 0; j < 5; ++j) {
        EXPECT_TRUE(one_per_cell(points, begin, j, m, j, 0)) << "m " << m << " dim " << j;
      }
    }
  }
}

TEST(SobolSearchTest, FirstTwoParametersFormANet) {
  // Sobol's first two dimensions are a (0, m, 2)-net: every elementary interval of area 2^-m
  // holds one of 2^m points; scrambling keeps it.
  SweepSpec spec = sobol_spec(kUnitCube);
  for (uint64_t seed : {1, 2, 3}) {
    std::vector<Suggestion> points = first(spec, seed, 1024);
    for (int m = 1; m <= 10; ++m) {
      for (int bits_x = 0; bits_x <= m; ++bits_x) {
        EXPECT_TRUE(one_per_cell(points, 0, 0, bits_x, 1, m - bits_x))
            << "seed " << seed << " m " << m << " x bits " << bits_x;
      }
    }
  }
}

TEST(SobolSearchTest, ConstantsTakeNoDimension) {
  // A constant and a nested group's constant come first in name order; were they dimensions,
  // b and c.x would be Sobol's dimensions 1 and 3 (from 0), which are not a (0, m, 2)-net.
  SweepSpec spec = sobol_spec(
      "  a: {value: 3}\n  b: {min: 0.0, max: 1.0}\n  c:\n    parameters:\n"
      "      aa: {value: adam}\n      x: {min: 0.0, max: 1.0}\n");
  ASSERT_EQ(spec.parameters.size(), 4u);
  std::vector<Suggestion> points = first(spec, 5, 256);
  for (const Suggestion& s : points) {
    EXPECT_EQ(s.values[0], Value(3));
    EXPECT_EQ(s.values[2], Value("adam"));
  }
  for (int bits_x = 0; bits_x <= 8; ++bits_x) {
    EXPECT_TRUE(one_per_cell(points, 0, 1, bits_x, 3, 8 - bits_x)) << bits_x;
  }
}

TEST(SobolSearchTest, EveryDistributionInRangeWithItsType) {
  SweepSpec spec = sobol_spec(
      "  beta: {distribution: beta, a: 2, b: 5}\n"
      "  cat: {values: [w, x, y, z]}\n"
      "  catp: {values: [p, q], probabilities: [0.25, 0.75]}\n"
      "  fixed: {value: [1, 2]}\n"
      "  int: {min: 1, max: 4}\n"
      "  logv: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}\n"
      "  normal: {distribution: normal, mu: 2, sigma: 3}\n"
      "  qlog: {distribution: q_log_uniform_values, min: 8, max: 256, q: 8}\n"
      "  quni: {distribution: q_uniform, min: 0, max: 10}\n"
      "  uni: {min: -2.0, max: 2.0}\n");
  ASSERT_EQ(spec.parameters.size(), 10u);
  std::map<std::string, int> cat, catp;
  std::map<int64_t, int> ints;
  for (const Suggestion& s : first(spec, 3, 256)) {
    const std::vector<Value>& v = s.values;
    ASSERT_TRUE(v[0].is_float());
    EXPECT_TRUE(v[0].as_float() >= 0.0 && v[0].as_float() <= 1.0);
    cat[v[1].as_string()]++;
    catp[v[2].as_string()]++;
    EXPECT_EQ(v[3], Value(List{Value(1), Value(2)}));
    ASSERT_TRUE(v[4].is_int());
    ints[v[4].as_int()]++;
    ASSERT_TRUE(v[5].is_float());
    EXPECT_TRUE(v[5].as_float() >= 1e-5 && v[5].as_float() <= 1e-1);
    ASSERT_TRUE(v[6].is_float());
    EXPECT_TRUE(std::isfinite(v[6].as_float()));
    ASSERT_TRUE(v[7].is_int());
    EXPECT_TRUE(v[7].as_int() % 8 == 0 && v[7].as_int() >= 8 && v[7].as_int() <= 256);
    ASSERT_TRUE(v[8].is_float());  // the omitted q is the float 1.0
    EXPECT_EQ(v[8].as_float(), std::round(v[8].as_float()));
    ASSERT_TRUE(v[9].is_float());
    EXPECT_TRUE(v[9].as_float() >= -2.0 && v[9].as_float() < 2.0);
  }
  // 256 stratified points: each equal-probability cell gets its exact share.
  EXPECT_EQ(cat, (std::map<std::string, int>{{"w", 64}, {"x", 64}, {"y", 64}, {"z", 64}}));
  EXPECT_EQ(catp, (std::map<std::string, int>{{"p", 64}, {"q", 192}}));
  EXPECT_EQ(ints, (std::map<int64_t, int>{{1, 64}, {2, 64}, {3, 64}, {4, 64}}));
}

TEST(SobolSearchTest, ReproducibleFromTheSeed) {
  SweepSpec spec = sobol_spec(kUnitCube);
  std::vector<Suggestion> one = first(spec, 42, 64);
  std::vector<Suggestion> two = first(spec, 42, 64);
  std::vector<Suggestion> other = first(spec, 43, 64);
  size_t same = 0;
  for (size_t k = 0; k < one.size(); ++k) {
    EXPECT_EQ(one[k].index, k);
    EXPECT_EQ(one[k].values, two[k].values);
    same += one[k].values == other[k].values;
  }
  EXPECT_EQ(same, 0u);
  // Scrambled: suggestion 0 is not the origin, nor suggestion 1 the centre.
  EXPECT_NE(one[0].values[0], Value(0.5 * 0x1.0p-52));
  EXPECT_NE(one[1].values[0], Value(0.5));
}

TEST(SobolSearchTest, MarkUsedSkipsIndexesAndKeepsPointKAtIndexK) {
  SweepSpec spec = sobol_spec(kUnitCube);
  std::vector<Suggestion> fresh = first(spec, 9, 8);
  auto method = make_search_method(spec, 9);
  ASSERT_TRUE(method.is_ok());
  EXPECT_FALSE((*method)->learns());
  EXPECT_EQ((*method)->size(), std::nullopt);
  (*method)->mark_used(0);
  (*method)->mark_used(1);
  (*method)->mark_used(4);
  for (uint64_t expected : {2, 3, 5, 6}) {
    std::optional<Suggestion> s = (*method)->next();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->index, expected);
    EXPECT_EQ(s->values, fresh[expected].values);
  }
  (*method)->mark_used(3);  // already suggested: changes nothing
  EXPECT_EQ((*method)->next()->index, 7u);
}

TEST(SobolSearchTest, OnlyConstants) {
  SweepSpec spec = sobol_spec("  a: {value: 1}\n  b: {value: x}\n");
  for (const Suggestion& s : first(spec, 1, 3)) {
    EXPECT_EQ(s.values, (std::vector<Value>{Value(1), Value("x")}));
  }
}

TEST(SobolSearchTest, MoreParametersThanDirectionNumbers) {
  // Boost's table has 3,667 dimensions; the parameters past them are drawn as random search
  // draws them.
  std::string parameters;
  for (int i = 0; i < 3670; ++i)
    parameters += "  p" + std::to_string(10000 + i) + ": {min: 0.0, max: 1.0}\n";
  SweepSpec spec = sobol_spec(parameters);
  std::vector<Suggestion> points = first(spec, 2, 4);
  for (const Suggestion& s : points) {
    ASSERT_EQ(s.values.size(), 3670u);
    for (const Value& v : s.values) EXPECT_TRUE(v.as_float() > 0.0 && v.as_float() < 1.0);
  }
  for (uint64_t k = 0; k < points.size(); ++k) {
    std::vector<Value> drawn = sample_parameters(spec.parameters, 2, k);
    EXPECT_NE(points[k].values[3666], drawn[3666]);
    for (size_t j = 3667; j < 3670; ++j) EXPECT_EQ(points[k].values[j], drawn[j]);
  }
}

}  // namespace
}  // namespace labsweep::sweeps
