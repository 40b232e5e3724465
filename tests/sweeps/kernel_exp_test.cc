#include "sweeps/search/kernel_exp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace labsweep::sweeps {
namespace {

// libm's exp is within about half an ulp; kernel_exp measured within 1 ulp of the exact value
// (1.5e-16 relative, against an 80-bit reference), so the two differ by at most about 2.6e-16.
constexpr double kBound = 3e-16;

std::string scientific(double value) {
  std::ostringstream out;
  out << std::scientific << value;
  return out.str();
}

double relative_error(double x) {
  double expected = std::exp(x);
  return std::abs(kernel_exp(x) - expected) / expected;
}

// The largest relative error over `xs`, checking that the array version agrees bit for bit.
double worst_error(std::vector<double> xs) {
  std::vector<double> values = xs;
  kernel_exp(values);
  double worst = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    EXPECT_EQ(values[i], kernel_exp(xs[i])) << "at " << xs[i];
    worst = std::max(worst, relative_error(xs[i]));
  }
  return worst;
}

TEST(KernelExpTest, KernelRangeAgreesWithLibm) {
  std::vector<double> xs;
  for (int i = 0; i <= 400000; ++i) xs.push_back(-40.0 * i / 400000);
  double worst = worst_error(xs);
  RecordProperty("max_relative_error_kernel_range", scientific(worst));
  EXPECT_LE(worst, kBound);
}

TEST(KernelExpTest, WholeRangeAgreesWithLibm) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> uniform(kKernelExpMin, kKernelExpMax);
  std::vector<double> xs = {kKernelExpMin, kKernelExpMax};
  for (int i = 0; i < 200000; ++i) xs.push_back(uniform(rng));
  double worst = worst_error(xs);
  RecordProperty("max_relative_error_whole_range", scientific(worst));
  EXPECT_LE(worst, kBound);
}

TEST(KernelExpTest, Edges) {
  EXPECT_EQ(kernel_exp(0.0), 1.0);
  EXPECT_EQ(kernel_exp(-0.0), 1.0);
  EXPECT_EQ(kernel_exp(-1e-300), 1.0);
  EXPECT_EQ(kernel_exp(-4.9e-324), 1.0);  // the smallest subnormal
  EXPECT_EQ(kernel_exp(-1e-17), std::exp(-1e-17));
  EXPECT_LE(relative_error(-40), kBound);
  EXPECT_LE(relative_error(-1e-8), kBound);
  EXPECT_LE(relative_error(std::nextafter(-40.0, 0.0)), kBound);
}

// Where x / ln2 is a half-integer the reduction picks between two k; both sides, a few ulps
// away, and the exact multiples of ln2 (where the result is a power of two up to rounding).
TEST(KernelExpTest, ReductionBoundaries) {
  std::vector<double> xs;
  for (int k = -60; k <= 60; ++k) {
    for (double at : {k * std::numbers::ln2, (k + 0.5) * std::numbers::ln2}) {
      double x = at;
      for (int step = 0; step < 4; ++step) x = std::nextafter(x, -INFINITY);
      for (int step = 0; step < 9; ++step, x = std::nextafter(x, INFINITY)) xs.push_back(x);
    }
  }
  EXPECT_LE(worst_error(xs), kBound);
}

// The blocks and the tail give each value the same result, whatever the array's length and
// whatever its neighbours are.
TEST(KernelExpTest, ArrayLengthDoesNotChangeResults) {
  for (size_t n : {0, 1, 2, 15, 16, 17, 31, 33, 100}) {
    std::vector<double> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = -0.37 * static_cast<double>(i) - 0.011;
    std::vector<double> xs = values;
    kernel_exp(values);
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(values[i], kernel_exp(xs[i])) << n << " " << i;
  }
}

}  // namespace
}  // namespace labsweep::sweeps
