#pragma once

// cuBLAS for the CUDA backend (cuda_backend.h) and its benchmark: a move-only owner of a cuBLAS
// handle bound to one stream and math mode, and a linear layer's three GEMMs in nn.Linear's
// row-major layout, so that the benchmark runs exactly the shapes and calls training runs.

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "base/status.h"

namespace labsweep::trainer {

enum class MathMode { kFloat32, kTf32 };  // kTf32: tensor cores with TF32 inputs, FP32 accumulate

class CublasHandle {
 public:
  // A handle issuing its work on `stream`, with a workspace of its own so that its calls can be
  // captured into a CUDA graph.
  static Result<CublasHandle> create(cudaStream_t stream, MathMode mode);

  CublasHandle(CublasHandle&& other) noexcept;
  CublasHandle& operator=(CublasHandle&& other) noexcept;
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  ~CublasHandle();

  cublasHandle_t get() const { return handle_; }
  MathMode mode() const { return mode_; }

 private:
  CublasHandle() = default;
  void release();

  cublasHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  MathMode mode_ = MathMode::kFloat32;
};

// Row-major, contiguous: x is rows x in, w is out x in, z and dz are rows x out. Each aborts on a
// cuBLAS failure (a broken invariant: the shapes are the caller's own).
// z = x w^T.
void gemm_linear_forward(const CublasHandle& blas, const float* x, const float* w, int rows, int in,
                         int out, float* z);
// dw = dz^T x (out x in), overwritten.
void gemm_linear_weight_grad(const CublasHandle& blas, const float* dz, const float* x, int rows,
                             int in, int out, float* dw);
// dx = dz w (rows x in), overwritten.
void gemm_linear_input_grad(const CublasHandle& blas, const float* dz, const float* w, int rows,
                            int in, int out, float* dx);

}  // namespace labsweep::trainer
