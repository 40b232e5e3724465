#pragma once

// A float64 reference of the trainer's model (model_config.h), written for clarity rather than
// speed, that the CPU backend's float32 kernels are checked against: the forward pass, the mean
// cross-entropy and its gradient by the chain rule, dropout masks drawn as counter_rng.h
// documents, and the optimizers as PyTorch defines them.

#include <cstdint>
#include <vector>

#include "trainer/model_config.h"

namespace labsweep::trainer::testing {

using Tensors = std::vector<std::vector<double>>;  // weight 0, bias 0, weight 1, ... (or masks)

Tensors to_double(const std::vector<std::vector<float>>& tensors);

double reference_activate(Activation activation, double x);
double reference_derivative(Activation activation, double x);

// The dropout scales of every hidden layer for batch `batch` of epoch `epoch` (rows x width each,
// 0 or 1 / (1 - p)); empty when the model has no dropout.
Tensors reference_dropout_masks(const ModelConfig& model, uint64_t seed, int epoch, int batch,
                                int rows);

// The mean cross-entropy of `rows` rows of x (rows x inputs) with labels y, under dropout scales
// `keep` (empty: none); when `gradients` is not null, also its gradient for every parameter.
double reference_loss(const ModelConfig& model, const Tensors& parameters,
                      const std::vector<double>& x, const std::vector<int32_t>& y, int rows,
                      const Tensors& keep, Tensors* gradients);

// torch.optim.SGD / Adam / AdamW in float64, one step at a time.
class ReferenceOptimizer {
 public:
  ReferenceOptimizer(const OptimizerConfig& config, const Tensors& like);
  void step(double lr, Tensors& parameters, const Tensors& gradients);

 private:
  OptimizerConfig config_;
  int64_t steps_ = 0;
  Tensors first_, second_;
};

}  // namespace labsweep::trainer::testing
