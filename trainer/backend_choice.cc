#include "trainer/backend_choice.h"

#include <algorithm>
#include <thread>

#include "trainer/cpu_backend.h"
#if LABSWEEP_TRAINER_CUDA
#include "trainer/cuda_backend.h"
#endif

namespace labsweep::trainer {
namespace {

int cpu_threads(int asked) {
  if (asked > 0) return asked;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

ChosenBackend on_cpu(const TrainFlags& flags, const BackendFactories& factories,
                     const std::string& why) {
  ChosenBackend chosen;
  chosen.backend = factories.cpu(flags.model, flags.optimizer, cpu_threads(flags.threads));
  chosen.note = "device: " + chosen.backend->description() + why;
  return chosen;
}

}  // namespace

BackendFactories built_in_backends() {
  BackendFactories factories;
  factories.cpu = make_cpu_backend;
#if LABSWEEP_TRAINER_CUDA
  factories.cuda = make_cuda_backend;
#endif
  return factories;
}

Result<ChosenBackend> choose_backend(const TrainFlags& flags, const BackendFactories& factories) {
  if (flags.device == DeviceChoice::kCpu) return on_cpu(flags, factories, "");
  if (!factories.cuda) {
    if (flags.device == DeviceChoice::kCuda) {
      return invalid_argument(
          "--device=cuda: this labsweep-train was built without the CUDA backend (no nvcc at "
          "build time); use --device=cpu or auto");
    }
    return on_cpu(flags, factories, " (auto: built without CUDA)");
  }
  Result<std::unique_ptr<Backend>> gpu = factories.cuda(flags.model, flags.optimizer, flags.tf32);
  if (!gpu) {
    if (flags.device == DeviceChoice::kCuda) {
      return invalid_argument("--device=cuda: " + gpu.status().message());
    }
    return on_cpu(flags, factories, " (auto: " + gpu.status().message() + ")");
  }
  ChosenBackend chosen;
  chosen.backend = std::move(*gpu);
  chosen.note = "device: " + chosen.backend->description() +
                (flags.device == DeviceChoice::kAuto ? " (auto: a GPU is usable)" : "");
  return chosen;
}

}  // namespace labsweep::trainer
