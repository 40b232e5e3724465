#include <cmath>

#include "trainer/backend.h"
#include "trainer/counter_rng.h"

namespace labsweep::trainer {

std::vector<std::vector<float>> initial_parameters(const ModelConfig& model, uint64_t seed) {
  std::vector<std::vector<float>> parameters;
  for (int l = 0; l < model.layers(); ++l) {
    int in = model.layer_inputs(l), out = model.layer_outputs(l);
    float bound = 1.0f / std::sqrt(static_cast<float>(in));
    std::vector<float> weight(static_cast<size_t>(out) * in), bias(out);
    for (size_t i = 0; i < weight.size(); ++i) {
      weight[i] = (2.0f * counter_uniform(seed, init_stream(l, 0), i) - 1.0f) * bound;
    }
    for (size_t i = 0; i < bias.size(); ++i) {
      bias[i] = (2.0f * counter_uniform(seed, init_stream(l, 1), i) - 1.0f) * bound;
    }
    parameters.push_back(std::move(weight));
    parameters.push_back(std::move(bias));
  }
  return parameters;
}

}  // namespace labsweep::trainer
