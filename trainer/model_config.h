#pragma once

// What labsweep-train trains (docs/trainer.md): the network's shape and how it learns. Shared
// by every backend, so that the CPU and CUDA backends train the same model from the same
// numbers.

#include <cstdint>
#include <string_view>
#include <vector>

namespace labsweep::trainer {

enum class Activation { kRelu, kGelu, kTanh };  // GELU is the exact one: x * Phi(x), with erf
enum class OptimizerKind { kSgd, kAdam, kAdamW };

// A multilayer perceptron: inputs -> hidden[0] -> ... -> hidden[n-1] -> classes. Every hidden
// layer is Linear, activation, then dropout (inverted: kept units scaled by 1 / (1 - dropout)).
// Layer l's weight is (out x in), row-major, and its bias has `out` entries, as PyTorch's
// nn.Linear keeps them, so that parameters compare one to one with a PyTorch model.
struct ModelConfig {
  int inputs = 784;
  std::vector<int> hidden{256, 256};
  int classes = 10;
  Activation activation = Activation::kRelu;
  float dropout = 0.0f;  // in [0, 1)

  int layers() const { return static_cast<int>(hidden.size()) + 1; }
  int layer_inputs(int l) const { return l == 0 ? inputs : hidden[l - 1]; }
  int layer_outputs(int l) const { return l == layers() - 1 ? classes : hidden[l]; }
  int64_t parameter_count() const;
};

// The optimizer, as PyTorch defines each (torch.optim.SGD, Adam, AdamW): weight decay applies
// to every parameter, biases included (PyTorch's default); it is added to the gradient for SGD
// and Adam and decoupled (p -= lr * wd * p) for AdamW. SGD momentum uses PyTorch's form
// (v = mu * v + g; p -= lr * v), Nesterov optional.
struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kAdamW;
  float momentum = 0.9f;
  bool nesterov = false;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
};

std::string_view to_string(Activation activation);
std::string_view to_string(OptimizerKind kind);

}  // namespace labsweep::trainer
