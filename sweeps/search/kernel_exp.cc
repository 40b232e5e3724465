#include "sweeps/search/kernel_exp.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace labsweep::sweeps {
namespace {

// GCC's default cost model at -O2 vectorises only loops whose trip count is a known multiple of
// the vector width, so values go through fixed-size blocks (a multiple of any width).
constexpr std::size_t kBlock = 16;

// Cody-Waite reduction x = k ln2 + r, |r| <= ln2/2 (a little more where x log2(e) rounds): ln2's
// high part has 21 trailing zero bits, so k * kLn2High is exact for every k used here and
// x - k * kLn2High has no rounding error; the low part carries the rest of ln2.
constexpr double kLog2E = 1.4426950408889634;
constexpr double kLn2High = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
constexpr double kLn2Low = 1.90821492927058770002e-10;
// Adding 1.5 * 2^52 rounds to an integer (to nearest) and leaves it in the low mantissa bits,
// which avoids a double-to-integer conversion: SSE2 has none to 64-bit lanes.
constexpr double kRoundShift = 6755399441055744.0;

// e^r for |r| <= 0.35 by its Taylor polynomial of degree 13: the remainder is below 4e-18
// relative, far under the rounding of the evaluation. Written as 1 + (r + r^2 q(r)), the leading 1
// added last so that it rounds once, with q of degree 11 by Estrin's scheme: its dependency chain
// is a third of Horner's, which lets the vectorised loop keep the FP units busy.
inline double exp_reduced(double r) {
  double r2 = r * r;
  double r4 = r2 * r2;
  double q01 = 1.0 / 2 + r * (1.0 / 6);
  double q23 = 1.0 / 24 + r * (1.0 / 120);
  double q45 = 1.0 / 720 + r * (1.0 / 5040);
  double q67 = 1.0 / 40320 + r * (1.0 / 362880);
  double q89 = 1.0 / 3628800 + r * (1.0 / 39916800);
  double q1011 = 1.0 / 479001600 + r * (1.0 / 6227020800);
  double q03 = q01 + r2 * q23;
  double q47 = q45 + r2 * q67;
  double q811 = q89 + r2 * q1011;
  double q = q03 + r4 * (q47 + r4 * q811);
  return 1.0 + (r + r2 * q);
}

inline double exp_one(double x) {
  double shifted = x * kLog2E + kRoundShift;
  double k = shifted - kRoundShift;
  double r = (x - k * kLn2High) - k * kLn2Low;
  // k + 1023 in the exponent field is 2^k; the shift's own bits move out of the word.
  auto k_bits = std::bit_cast<std::uint64_t>(shifted);
  double scale = std::bit_cast<double>((k_bits + 1023) << 52);
  return exp_reduced(r) * scale;
}

void exp_block(double* values) {
  for (std::size_t i = 0; i < kBlock; ++i) values[i] = exp_one(values[i]);
}

}  // namespace

void kernel_exp(std::span<double> values) {
  std::size_t full = values.size() - values.size() % kBlock;
  for (std::size_t i = 0; i < full; i += kBlock) exp_block(values.data() + i);
  if (full == values.size()) return;
  std::array<double, kBlock> tail{};
  std::copy(values.begin() + static_cast<std::ptrdiff_t>(full), values.end(), tail.begin());
  exp_block(tail.data());
  std::copy_n(tail.begin(), values.size() - full,
              values.begin() + static_cast<std::ptrdiff_t>(full));
}

double kernel_exp(double x) { return exp_one(x); }

}  // namespace labsweep::sweeps
