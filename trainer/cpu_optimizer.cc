#include "trainer/cpu_optimizer.h"

#include <cmath>

namespace labsweep::trainer::cpu {
namespace {

// The updates are a fifth of a step's time when scalar (the GEMMs take most of the rest), so
// they are compiled twice: for AVX2 and for the baseline, picked at load time by the CPU.
#define LABSWEEP_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))

struct SgdConstants {
  float lr, weight_decay, momentum;
};

// torch.optim.SGD without momentum: p -= lr * (g + wd * p).
LABSWEEP_VECTOR_CLONES void sgd_plain(SgdConstants k, float* __restrict param,
                                      const float* __restrict grad, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) param[i] -= k.lr * (grad[i] + k.weight_decay * param[i]);
}

// With momentum: v = mu * v + g (v = g on the first step, the same from zero), then
// p -= lr * v, or p -= lr * (g + mu * v) for Nesterov.
LABSWEEP_VECTOR_CLONES void sgd_momentum(SgdConstants k, bool nesterov, float* __restrict param,
                                         const float* __restrict grad, float* __restrict velocity,
                                         int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i] + k.weight_decay * param[i];
    float v = k.momentum * velocity[i] + g;
    velocity[i] = v;
    param[i] -= k.lr * (nesterov ? g + k.momentum * v : v);
  }
}

struct AdamConstants {
  float decay;       // AdamW's 1 - lr * wd, else 1
  float coupled_wd;  // Adam's wd, added to the gradient, else 0
  float beta1, beta2, eps;
  float step_size;    // lr / (1 - beta1^t)
  float inv_sqrt_c2;  // 1 / sqrt(1 - beta2^t)
};

LABSWEEP_VECTOR_CLONES void adam_update(AdamConstants k, float* __restrict param,
                                        const float* __restrict grad, float* __restrict m,
                                        float* __restrict v, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    float p = param[i] * k.decay;
    float g = grad[i] + k.coupled_wd * p;
    float mi = k.beta1 * m[i] + (1.0f - k.beta1) * g;
    float vi = k.beta2 * v[i] + (1.0f - k.beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - k.step_size * mi / (std::sqrt(vi) * k.inv_sqrt_c2 + k.eps);
  }
}

}  // namespace

void CpuOptimizer::reset(const std::vector<int64_t>& sizes) {
  steps_ = 0;
  first_.assign(sizes.size(), {});
  second_.assign(sizes.size(), {});
  bool adam = config_.kind != OptimizerKind::kSgd;
  for (size_t i = 0; i < sizes.size(); ++i) {
    first_[i].assign(sizes[i], 0.0f);
    if (adam) second_[i].assign(sizes[i], 0.0f);
  }
}

void CpuOptimizer::step(float lr, std::vector<std::vector<float>>& parameters,
                        const std::vector<std::vector<float>>& gradients) {
  ++steps_;
  for (size_t i = 0; i < parameters.size(); ++i) {
    int64_t n = static_cast<int64_t>(parameters[i].size());
    if (config_.kind == OptimizerKind::kSgd) {
      sgd(lr, parameters[i].data(), gradients[i].data(), first_[i].data(), n);
    } else {
      adam(lr, parameters[i].data(), gradients[i].data(), first_[i].data(), second_[i].data(), n);
    }
  }
}

void CpuOptimizer::sgd(float lr, float* param, const float* grad, float* velocity,
                       int64_t n) const {
  SgdConstants k{lr, config_.weight_decay, config_.momentum};
  if (config_.momentum == 0.0f) {
    sgd_plain(k, param, grad, n);
  } else {
    sgd_momentum(k, config_.nesterov, param, grad, velocity, n);
  }
}

// torch.optim.Adam / AdamW (single-tensor form): Adam adds wd * p to the gradient, AdamW first
// scales p by 1 - lr * wd; then m and v are updated and
// p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps).
void CpuOptimizer::adam(float lr, float* param, const float* grad, float* m, float* v,
                        int64_t n) const {
  const bool decoupled = config_.kind == OptimizerKind::kAdamW;
  const double t = static_cast<double>(steps_);
  AdamConstants k;
  k.decay = decoupled ? 1.0f - lr * config_.weight_decay : 1.0f;
  k.coupled_wd = decoupled ? 0.0f : config_.weight_decay;
  k.beta1 = config_.beta1;
  k.beta2 = config_.beta2;
  k.eps = config_.eps;
  k.step_size = static_cast<float>(lr / (1.0 - std::pow(double{config_.beta1}, t)));
  k.inv_sqrt_c2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(double{config_.beta2}, t)));
  adam_update(k, param, grad, m, v, n);
}

}  // namespace labsweep::trainer::cpu
