#pragma once

// Counter-based random numbers: each draw is a pure function of (seed, stream, index), so the
// CPU and CUDA backends draw the same dropout masks and initial weights in any order, on any
// number of threads, and a test can recompute any one of them. The mixer is SplitMix64's
// finaliser applied twice over the combined key (statistically sound for this use: masks and
// initialisation, not cryptography).

#include <cstdint>

#if defined(__CUDACC__)
#define LABSWEEP_HOST_DEVICE __host__ __device__
#else
#define LABSWEEP_HOST_DEVICE
#endif

namespace labsweep::trainer {

LABSWEEP_HOST_DEVICE inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 64 random bits for draw `index` of `stream` under `seed`.
LABSWEEP_HOST_DEVICE inline uint64_t counter_bits(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t key = mix64(seed + 0x9e3779b97f4a7c15ULL * (stream + 1));
  return mix64(key ^ (index * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL));
}

// A float uniform in [0, 1) with 24 random bits: exactly representable, never 1.
LABSWEEP_HOST_DEVICE inline float counter_uniform(uint64_t seed, uint64_t stream, uint64_t index) {
  return static_cast<float>(counter_bits(seed, stream, index) >> 40) * (1.0f / 16777216.0f);
}

// The stream of dropout draws for hidden layer `layer` in batch `batch` of epoch `epoch`; the
// index within it is row * width + unit. Streams of different (epoch, batch, layer) never meet.
LABSWEEP_HOST_DEVICE inline uint64_t dropout_stream(uint64_t epoch, uint64_t batch,
                                                    uint64_t layer) {
  return (epoch << 40) ^ (batch << 8) ^ layer ^ (1ULL << 63);
}

// The stream of initial values of layer `layer`'s weight (which = 0) or bias (which = 1).
LABSWEEP_HOST_DEVICE inline uint64_t init_stream(uint64_t layer, uint64_t which) {
  return (layer << 1) | which;
}

}  // namespace labsweep::trainer
