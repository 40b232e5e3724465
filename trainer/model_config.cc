#include "trainer/model_config.h"

namespace labsweep::trainer {

int64_t ModelConfig::parameter_count() const {
  int64_t count = 0;
  for (int l = 0; l < layers(); ++l) {
    count += static_cast<int64_t>(layer_outputs(l)) * (layer_inputs(l) + 1);
  }
  return count;
}

std::string_view to_string(Activation activation) {
  switch (activation) {
    case Activation::kRelu:
      return "relu";
    case Activation::kGelu:
      return "gelu";
    case Activation::kTanh:
      return "tanh";
  }
  return "?";
}

std::string_view to_string(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd:
      return "sgd";
    case OptimizerKind::kAdam:
      return "adam";
    case OptimizerKind::kAdamW:
      return "adamw";
  }
  return "?";
}

}  // namespace labsweep::trainer
