#pragma once

// Owen's nested uniform scrambling (Owen, 1995) of base-2 fractions, with a hash as its source
// of randomness. Applied to the points of a Sobol' sequence it keeps their stratification (an
// elementary interval that held one point holds one scrambled point) while making each point
// uniform on [0, 1), so that no coordinate sits on 0 or on the same values in every sweep.

#include <cstdint>

namespace labsweep::sweeps {

// The fraction x / 2^64 scrambled: digit d (the d-th after the binary point) is flipped or kept
// by a coin that depends only on `key` and the digits of x above d, so fractions that share
// their first d digits share their first d scrambled digits, and differ at the next one exactly
// when the originals do. A bijection of the 64-bit integers for each key; a pure function.
uint64_t owen_scramble(uint64_t x, uint64_t key);

}  // namespace labsweep::sweeps
