#pragma once

// --device: which backend a run trains on. `auto` takes the GPU when the CUDA backend is built in
// and a GPU is usable, and the CPU otherwise; `cuda` insists on the GPU. The choice is always
// said in a line for the user.

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "trainer/backend.h"
#include "trainer/train_flags.h"

namespace labsweep::trainer {

// How backends are made: the real factories in production, doubles in tests. `cuda` is empty
// when the CUDA backend is not built in.
struct BackendFactories {
  std::function<std::unique_ptr<Backend>(const ModelConfig&, const OptimizerConfig&, int threads)>
      cpu;
  std::function<Result<std::unique_ptr<Backend>>(const ModelConfig&, const OptimizerConfig&,
                                                 bool tf32)>
      cuda;
};

// The factories this binary was built with (make_cuda_backend only with LABSWEEP_TRAINER_CUDA).
BackendFactories built_in_backends();

struct ChosenBackend {
  std::unique_ptr<Backend> backend;
  std::string note;  // "device: cpu (auto: no usable GPU: ...)", for the user
};

// The backend `flags` ask for; an error (naming --device) when `cuda` is asked for and no GPU is
// usable. `flags.threads` 0 means every hardware thread.
Result<ChosenBackend> choose_backend(const TrainFlags& flags, const BackendFactories& factories);

}  // namespace labsweep::trainer
