#pragma once

// e^x for the Gaussian process's kernel, over arrays, in plain IEEE double arithmetic: the same
// bits on every x86-64 (no libm, whose exp differs between versions, and no FMA or
// CPU-dispatched code), and written so that GCC vectorises it at the SSE2 baseline: one scalar
// libm exp per kernel entry would be most of the cost of a bayes suggestion. See
// docs/benchmarks.md (bench-suggest).

#include <cstddef>
#include <span>

namespace labsweep::sweeps {

// The arguments kernel_exp is accurate for (the kernel needs [-40, 0]): within them the result
// stays normal, so that its power of two can be built from exponent bits.
inline constexpr double kKernelExpMin = -700;
inline constexpr double kKernelExpMax = 700;

// e^x of each value, in place, within 1 ulp of the exact value (kernel_exp_test measures the
// bound). Precondition: every value in [kKernelExpMin, kKernelExpMax]; others give unspecified
// finite values. Each result depends on its own argument only, never on the array's length.
void kernel_exp(std::span<double> values);

// e^x of one value: the same bits as the array version.
double kernel_exp(double x);

}  // namespace labsweep::sweeps
