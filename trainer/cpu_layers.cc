#include "trainer/cpu_layers.h"

#include <cblas.h>

#include <cmath>
#include <cstring>

#include "trainer/counter_rng.h"

namespace labsweep::trainer::cpu {
namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

template <Activation A>
inline float activate_as(float x) {
  if constexpr (A == Activation::kRelu) {
    return x > 0.0f ? x : 0.0f;
  } else if constexpr (A == Activation::kTanh) {
    return std::tanh(x);
  } else {
    return 0.5f * x * (1.0f + std::erf(x * kInvSqrt2));
  }
}

template <Activation A>
inline float derivative_as(float x) {
  if constexpr (A == Activation::kRelu) {
    return x > 0.0f ? 1.0f : 0.0f;
  } else if constexpr (A == Activation::kTanh) {
    float t = std::tanh(x);
    return 1.0f - t * t;
  } else {
    return 0.5f * (1.0f + std::erf(x * kInvSqrt2)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
  }
}

template <Activation A>
void forward_as(const float* __restrict bias, int rows, int width, float* __restrict z,
                const float* __restrict keep, float* __restrict a) {
  for (int r = 0; r < rows; ++r) {
    float* __restrict zr = z + static_cast<int64_t>(r) * width;
    float* __restrict ar = a + static_cast<int64_t>(r) * width;
    if (keep == nullptr) {
#pragma omp simd
      for (int u = 0; u < width; ++u) {
        zr[u] += bias[u];
        ar[u] = activate_as<A>(zr[u]);
      }
    } else {
      const float* __restrict kr = keep + static_cast<int64_t>(r) * width;
#pragma omp simd
      for (int u = 0; u < width; ++u) {
        zr[u] += bias[u];
        ar[u] = activate_as<A>(zr[u]) * kr[u];
      }
    }
  }
}

// dz may alias da, so neither is restrict here; each element is read before it is written.
template <Activation A>
void backward_as(const float* __restrict z, const float* __restrict keep, const float* da,
                 int64_t n, float* dz) {
  if (keep == nullptr) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dz[i] = da[i] * derivative_as<A>(z[i]);
  } else {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) dz[i] = da[i] * keep[i] * derivative_as<A>(z[i]);
  }
}

}  // namespace

void linear_forward(const float* x, const float* w, int rows, int in, int out, float* z) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, out, in, 1.0f, x, in, w, in, 0.0f, z,
              out);
}

void linear_backward_params(const float* dz, const float* x, int rows, int in, int out, float* dw,
                            float* db) {
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, rows, 1.0f, dz, out, x, in, 0.0f,
              dw, in);
  std::memset(db, 0, sizeof(float) * out);
  for (int r = 0; r < rows; ++r) {
    const float* __restrict dzr = dz + static_cast<int64_t>(r) * out;
    float* __restrict dbr = db;
#pragma omp simd
    for (int u = 0; u < out; ++u) dbr[u] += dzr[u];
  }
}

void linear_backward_input(const float* dz, const float* w, int rows, int in, int out, float* dx) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in, out, 1.0f, dz, out, w, in, 0.0f,
              dx, in);
}

void add_bias(const float* bias, int rows, int width, float* z) {
  for (int r = 0; r < rows; ++r) {
    float* __restrict zr = z + static_cast<int64_t>(r) * width;
    const float* __restrict b = bias;
#pragma omp simd
    for (int u = 0; u < width; ++u) zr[u] += b[u];
  }
}

void bias_activation_forward(Activation activation, const float* bias, int rows, int width,
                             float* z, const float* keep, float* a) {
  switch (activation) {
    case Activation::kRelu:
      return forward_as<Activation::kRelu>(bias, rows, width, z, keep, a);
    case Activation::kTanh:
      return forward_as<Activation::kTanh>(bias, rows, width, z, keep, a);
    case Activation::kGelu:
      return forward_as<Activation::kGelu>(bias, rows, width, z, keep, a);
  }
}

void activation_backward(Activation activation, const float* z, const float* keep, const float* da,
                         int64_t n, float* dz) {
  switch (activation) {
    case Activation::kRelu:
      return backward_as<Activation::kRelu>(z, keep, da, n, dz);
    case Activation::kTanh:
      return backward_as<Activation::kTanh>(z, keep, da, n, dz);
    case Activation::kGelu:
      return backward_as<Activation::kGelu>(z, keep, da, n, dz);
  }
}

void dropout_mask(uint64_t seed, uint64_t stream, float p, int rows, int width, float* keep) {
  int64_t n = static_cast<int64_t>(rows) * width;
  float scale = 1.0f / (1.0f - p);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    keep[i] = counter_uniform(seed, stream, static_cast<uint64_t>(i)) < p ? 0.0f : scale;
  }
}

}  // namespace labsweep::trainer::cpu
