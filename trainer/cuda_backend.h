#pragma once

// The CUDA backend (docs/trainer.md, "CUDA backend"): the model of model_config.h trained on the
// first GPU that CUDA_VISIBLE_DEVICES shows, with the data and parameters resident there, GEMMs
// through cuBLAS (cuBLASLt where an epilogue takes a kernel's work, cuda_lt_gemm.h) and everything
// else in fused kernels (cuda_kernels.cuh). An epoch runs without a host round trip but reading
// its loss at the end; each full batch is one CUDA graph launch.
// Only built where CMake finds nvcc (LABSWEEP_TRAINER_CUDA is then 1).

#include <memory>

#include "base/status.h"
#include "trainer/backend.h"
#include "trainer/model_config.h"

namespace labsweep::trainer {

struct CudaOptions {
  bool tf32 = false;        // TF32 tensor-core GEMMs (FP32 accumulate) instead of FP32 ones
  bool graphs = true;       // replay each full batch as one captured CUDA graph
  bool time_gemms = false;  // time every GEMM with CUDA events (implies no graphs; benchmarks)
  // Fold the bias (and ReLU) into the forward GEMMs and the output bias's gradient into its
  // weight-gradient GEMM (cuBLASLt epilogues, cuda_lt_gemm.h); off: separate kernels do it.
  bool epilogues = true;
};

// Which cuBLASLt epilogues have run since the backend was made (CudaOptions::epilogues): where one
// has no algorithm (or an operand is too loosely aligned) a kernel does its work instead.
struct EpiloguesUsed {
  bool bias = false;           // the output layer's forward GEMM
  bool relu_bias = false;      // a ReLU hidden layer's forward GEMM
  bool bias_gradient = false;  // the output layer's weight-gradient GEMM
};

// The backend with what only a CUDA backend has, for tests and benchmarks.
class CudaBackend : public Backend {
 public:
  virtual EpiloguesUsed epilogues_used() const = 0;
  // The GEMMs' total time in the last epoch trained, in milliseconds, when time_gemms is on.
  virtual double last_epoch_gemm_ms() const = 0;
};

// A backend on the GPU, or an error saying why there is none to use ("no CUDA device:
// cudaGetDeviceCount: no CUDA-capable device is detected"). Its parameters start as
// initial_parameters(model, 0) until set_parameters() says otherwise. Not thread-safe.
Result<std::unique_ptr<Backend>> make_cuda_backend(const ModelConfig& model,
                                                   const OptimizerConfig& optimizer, bool tf32);

// The same with every option, for tests and benchmarks.
Result<std::unique_ptr<CudaBackend>> make_cuda_backend_with(const ModelConfig& model,
                                                            const OptimizerConfig& optimizer,
                                                            const CudaOptions& options);

}  // namespace labsweep::trainer
