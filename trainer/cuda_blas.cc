#include "trainer/cuda_blas.h"

#include <utility>

#include "trainer/cuda_check.h"

namespace labsweep::trainer {
namespace {

// cuBLAS's advice for graph capture is a user workspace; 32 MiB covers Hopper's largest need.
constexpr size_t kWorkspaceBytes = size_t{32} << 20;

// cuBLAS is column-major: a row-major r x c matrix is, to it, the c x r matrix it transposes.
// Every call below is the row-major formula with both sides transposed.
void gemm(const CublasHandle& blas, cublasOperation_t op_a, cublasOperation_t op_b, int m, int n,
          int k, const float* a, int lda, const float* b, int ldb, float* c, int ldc) {
  const float one = 1.0f, zero = 0.0f;
  cublasComputeType_t compute =
      blas.mode() == MathMode::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  cublas_check(
      cublasGemmEx(blas.get(), op_a, op_b, m, n, k, &one, a, CUDA_R_32F, lda, b, CUDA_R_32F, ldb,
                   &zero, c, CUDA_R_32F, ldc, compute, CUBLAS_GEMM_DEFAULT),
      "cublasGemmEx");
}

}  // namespace

Result<CublasHandle> CublasHandle::create(cudaStream_t stream, MathMode mode) {
  CublasHandle blas;
  blas.mode_ = mode;
  if (Status s = cublas_status(cublasCreate(&blas.handle_), "cublasCreate"); !s.is_ok()) return s;
  if (Status s = cublas_status(cublasSetStream(blas.handle_, stream), "cublasSetStream");
      !s.is_ok()) {
    return s;
  }
  if (Status s = cuda_status(cudaMalloc(&blas.workspace_, kWorkspaceBytes), "cudaMalloc");
      !s.is_ok()) {
    return s;
  }
  if (Status s = cublas_status(cublasSetWorkspace(blas.handle_, blas.workspace_, kWorkspaceBytes),
                               "cublasSetWorkspace");
      !s.is_ok()) {
    return s;
  }
  cublasMath_t math = mode == MathMode::kTf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH;
  if (Status s = cublas_status(cublasSetMathMode(blas.handle_, math), "cublasSetMathMode");
      !s.is_ok()) {
    return s;
  }
  return blas;
}

CublasHandle::CublasHandle(CublasHandle&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      workspace_(std::exchange(other.workspace_, nullptr)),
      mode_(other.mode_) {}

CublasHandle& CublasHandle::operator=(CublasHandle&& other) noexcept {
  if (this != &other) {
    release();
    handle_ = std::exchange(other.handle_, nullptr);
    workspace_ = std::exchange(other.workspace_, nullptr);
    mode_ = other.mode_;
  }
  return *this;
}

CublasHandle::~CublasHandle() { release(); }

void CublasHandle::release() {
  if (handle_ != nullptr) cublasDestroy(handle_);
  if (workspace_ != nullptr) cudaFree(workspace_);
  handle_ = nullptr;
  workspace_ = nullptr;
}

// z^T (out x rows) = w (as cuBLAS sees w: in x out, transposed) * x^T (in x rows).
void gemm_linear_forward(const CublasHandle& blas, const float* x, const float* w, int rows, int in,
                         int out, float* z) {
  gemm(blas, CUBLAS_OP_T, CUBLAS_OP_N, out, rows, in, w, in, x, in, z, out);
}

// dw^T (in x out) = x^T (in x rows) * dz (rows x out: dz^T as stored, transposed).
void gemm_linear_weight_grad(const CublasHandle& blas, const float* dz, const float* x, int rows,
                             int in, int out, float* dw) {
  gemm(blas, CUBLAS_OP_N, CUBLAS_OP_T, in, out, rows, x, in, dz, out, dw, in);
}

// dx^T (in x rows) = w^T (in x out, as stored) * dz^T (out x rows, as stored).
void gemm_linear_input_grad(const CublasHandle& blas, const float* dz, const float* w, int rows,
                            int in, int out, float* dx) {
  gemm(blas, CUBLAS_OP_N, CUBLAS_OP_N, in, rows, out, w, in, dz, out, dx, in);
}

}  // namespace labsweep::trainer
