#pragma once

// The CPU backend (docs/trainer.md, "CPU backend"): the model of model_config.h trained on the
// host, GEMMs through OpenBLAS on its threads, the elementwise passes fused and vectorised.

#include <memory>

#include "trainer/backend.h"
#include "trainer/model_config.h"

namespace labsweep::trainer {

// A backend whose GEMMs run on `threads` OpenBLAS threads (at least 1). OpenBLAS's thread count is
// process-wide, so the last backend made sets it for all. Its parameters start
// as initial_parameters(model, 0) until set_parameters() says otherwise.
std::unique_ptr<Backend> make_cpu_backend(const ModelConfig& model,
                                          const OptimizerConfig& optimizer, int threads);

}  // namespace labsweep::trainer
