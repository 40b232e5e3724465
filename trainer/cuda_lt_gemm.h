#pragma once

// cuBLASLt for the CUDA backend (cuda_backend.h): a linear layer's GEMMs with the work that
// follows them folded into cuBLASLt's epilogues, so that no separate pass reads the result again:
// the bias (and ReLU) on the forward GEMM, the bias's gradient on the weight-gradient GEMM. Each
// call answers false, having launched nothing, where cuBLASLt has no algorithm for it (or a
// pointer is too loosely aligned); the caller then runs cuda_blas.h's GEMM and its own kernel.

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <map>
#include <memory>
#include <tuple>

#include "base/status.h"
#include "trainer/cuda_blas.h"

namespace labsweep::trainer {

class LtGemm {
 public:
  // Work issued on `stream`, with a workspace of its own so that its calls can be captured into
  // a CUDA graph.
  static Result<std::unique_ptr<LtGemm>> create(cudaStream_t stream, MathMode mode);
  LtGemm(const LtGemm&) = delete;
  LtGemm& operator=(const LtGemm&) = delete;
  ~LtGemm();

  // Row-major as in cuda_blas.h. z = x w^T + bias, then max(z, 0) when `relu`.
  bool linear_forward(const float* x, const float* w, const float* bias, int rows, int in, int out,
                      bool relu, float* z);
  // dw = dz^T x (out x in) and db = the column sums of dz (out), both overwritten.
  bool linear_weight_grad(const float* dz, const float* x, int rows, int in, int out, float* dw,
                          float* db);

 private:
  // One GEMM's shape, epilogue and operand alignments: what an algorithm is chosen for.
  using Key = std::tuple<int, int, int, int, int, int, int, int, int>;
  struct Plan;

  LtGemm() = default;
  Plan* plan_for(const Key& key);
  bool run(const Key& key, const float* a, const float* b, const void* bias, float* d);

  cublasLtHandle_t handle_ = nullptr;
  cudaStream_t stream_ = nullptr;
  void* workspace_ = nullptr;
  MathMode mode_ = MathMode::kFloat32;
  std::map<Key, std::unique_ptr<Plan>> plans_;  // chosen once per key; a null algorithm: none
};

}  // namespace labsweep::trainer
