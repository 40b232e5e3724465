#pragma once

// The optimizers of model_config.h (PyTorch's SGD, Adam and AdamW) over float tensors held in
// host memory, for the CPU backend (cpu_backend.h). Not thread-safe; updates run on the calling
// thread, vectorised.

#include <cstdint>
#include <vector>

#include "trainer/model_config.h"

namespace labsweep::trainer::cpu {

class CpuOptimizer {
 public:
  explicit CpuOptimizer(const OptimizerConfig& config) : config_(config) {}

  // Forgets all state (momentum, Adam's moments and step count) and sizes it for tensors of
  // these lengths, zeroed.
  void reset(const std::vector<int64_t>& sizes);

  // One optimizer step at learning rate `lr`: updates every tensor of `parameters` from the
  // matching tensor of `gradients` (the sizes given to reset()). Gradients are left as they are.
  void step(float lr, std::vector<std::vector<float>>& parameters,
            const std::vector<std::vector<float>>& gradients);

  int64_t steps() const { return steps_; }

 private:
  void sgd(float lr, float* param, const float* grad, float* velocity, int64_t n) const;
  void adam(float lr, float* param, const float* grad, float* m, float* v, int64_t n) const;

  OptimizerConfig config_;
  int64_t steps_ = 0;
  std::vector<std::vector<float>> first_;   // SGD's momentum buffer, or Adam's first moment
  std::vector<std::vector<float>> second_;  // Adam's second moment
};

}  // namespace labsweep::trainer::cpu
