#include "trainer/cuda_lt_gemm.h"

#include <cstdint>

#include "trainer/cuda_check.h"

namespace labsweep::trainer {
namespace {

constexpr size_t kWorkspaceBytes = size_t{32} << 20;

// cuBLASLt assumes 256-byte aligned operands unless told otherwise; ours sit at any float offset
// of the flat parameter buffer, so each plan is chosen for the alignment its pointers have.
int alignment(const void* p) {
  auto address = reinterpret_cast<uintptr_t>(p);
  int bytes = 4;
  while (bytes < 256 && address % (2 * bytes) == 0) bytes *= 2;
  return bytes;
}

}  // namespace

struct LtGemm::Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulAlgo_t algo{};
  bool usable = false;
  ~Plan() {
    if (desc != nullptr) cublasLtMatmulDescDestroy(desc);
    for (cublasLtMatrixLayout_t layout : {a, b, d}) {
      if (layout != nullptr) cublasLtMatrixLayoutDestroy(layout);
    }
  }
};

Result<std::unique_ptr<LtGemm>> LtGemm::create(cudaStream_t stream, MathMode mode) {
  std::unique_ptr<LtGemm> lt(new LtGemm());
  lt->stream_ = stream;
  lt->mode_ = mode;
  if (Status s = cublas_status(cublasLtCreate(&lt->handle_), "cublasLtCreate"); !s.is_ok()) {
    return s;
  }
  if (Status s = cuda_status(cudaMalloc(&lt->workspace_, kWorkspaceBytes), "cudaMalloc");
      !s.is_ok()) {
    return s;
  }
  return lt;
}

LtGemm::~LtGemm() {
  plans_.clear();
  if (handle_ != nullptr) cublasLtDestroy(handle_);
  if (workspace_ != nullptr) cudaFree(workspace_);
}

// Describes the GEMM and asks cuBLASLt's heuristic for its best algorithm, once per key.
LtGemm::Plan* LtGemm::plan_for(const Key& key) {
  auto found = plans_.find(key);
  if (found != plans_.end()) return found->second->usable ? found->second.get() : nullptr;
  auto plan = std::make_unique<Plan>();
  Plan* p = plan.get();
  plans_.emplace(key, std::move(plan));
  auto [m, n, k, ta, tb, epilogue, align_a, align_b, align_d] = key;
  auto op_a = static_cast<cublasOperation_t>(ta), op_b = static_cast<cublasOperation_t>(tb);
  auto epi = static_cast<cublasLtEpilogue_t>(epilogue);
  cublasComputeType_t compute =
      mode_ == MathMode::kTf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  bool ok = cublasLtMatmulDescCreate(&p->desc, compute, CUDA_R_32F) == CUBLAS_STATUS_SUCCESS &&
            cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a,
                                           sizeof op_a) == CUBLAS_STATUS_SUCCESS &&
            cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b,
                                           sizeof op_b) == CUBLAS_STATUS_SUCCESS &&
            cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi,
                                           sizeof epi) == CUBLAS_STATUS_SUCCESS;
  // Column-major as cuBLASLt sees them: A is m x k (stored k x m when transposed), B k x n.
  int a_rows = op_a == CUBLAS_OP_N ? m : k, a_cols = op_a == CUBLAS_OP_N ? k : m;
  int b_rows = op_b == CUBLAS_OP_N ? k : n, b_cols = op_b == CUBLAS_OP_N ? n : k;
  ok = ok &&
       cublasLtMatrixLayoutCreate(&p->a, CUDA_R_32F, a_rows, a_cols, a_rows) ==
           CUBLAS_STATUS_SUCCESS &&
       cublasLtMatrixLayoutCreate(&p->b, CUDA_R_32F, b_rows, b_cols, b_rows) ==
           CUBLAS_STATUS_SUCCESS &&
       cublasLtMatrixLayoutCreate(&p->d, CUDA_R_32F, m, n, m) == CUBLAS_STATUS_SUCCESS;
  if (!ok) return nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  if (cublasLtMatmulPreferenceCreate(&preference) != CUBLAS_STATUS_SUCCESS) return nullptr;
  size_t workspace = kWorkspaceBytes;
  uint32_t alignments[] = {static_cast<uint32_t>(align_a), static_cast<uint32_t>(align_b),
                           static_cast<uint32_t>(align_d), static_cast<uint32_t>(align_d)};
  cublasLtMatmulPreferenceAttributes_t names[] = {
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
  ok = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                            &workspace, sizeof workspace) == CUBLAS_STATUS_SUCCESS;
  for (int i = 0; i < 4 && ok; ++i) {
    ok = cublasLtMatmulPreferenceSetAttribute(preference, names[i], &alignments[i],
                                              sizeof alignments[i]) == CUBLAS_STATUS_SUCCESS;
  }
  cublasLtMatmulHeuristicResult_t result{};
  int returned = 0;
  ok = ok && cublasLtMatmulAlgoGetHeuristic(handle_, p->desc, p->a, p->b, p->d, p->d, preference, 1,
                                            &result, &returned) == CUBLAS_STATUS_SUCCESS;
  cublasLtMatmulPreferenceDestroy(preference);
  if (!ok || returned == 0) return nullptr;
  p->algo = result.algo;
  p->usable = true;
  return p;
}

// D = op(A) op(B) with the key's epilogue; `bias` is its bias (or bias-gradient) vector.
bool LtGemm::run(const Key& key, const float* a, const float* b, const void* bias, float* d) {
  // The bias vector's alignment is not among cuBLASLt's preferences: 16 bytes are asked for.
  if (reinterpret_cast<uintptr_t>(bias) % 16 != 0) return false;
  Plan* p = plan_for(key);
  if (p == nullptr) return false;
  if (cublasLtMatmulDescSetAttribute(p->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                     sizeof bias) != CUBLAS_STATUS_SUCCESS) {
    return false;
  }
  const float one = 1.0f, zero = 0.0f;
  cublasStatus_t status = cublasLtMatmul(handle_, p->desc, &one, a, p->a, b, p->b, &zero, d, p->d,
                                         d, p->d, &p->algo, workspace_, kWorkspaceBytes, stream_);
  if (status != CUBLAS_STATUS_SUCCESS) {
    p->usable = false;  // not asked again: the kernels' path from now on
    return false;
  }
  return true;
}

// z^T (out x rows) = w^T (w stored in x out, transposed) * x^T (in x rows), as cuda_blas.cc.
bool LtGemm::linear_forward(const float* x, const float* w, const float* bias, int rows, int in,
                            int out, bool relu, float* z) {
  cublasLtEpilogue_t epilogue = relu ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
  Key key{out,      rows,         in,           CUBLAS_OP_T, CUBLAS_OP_N,
          epilogue, alignment(w), alignment(x), alignment(z)};
  return run(key, w, x, bias, z);
}

// dw^T (in x out) = x^T (in x rows) * dz (rows x out); the bias gradient is B's column sums.
bool LtGemm::linear_weight_grad(const float* dz, const float* x, int rows, int in, int out,
                                float* dw, float* db) {
  Key key{in,           out,           rows,
          CUBLAS_OP_N,  CUBLAS_OP_T,   CUBLASLT_EPILOGUE_BGRADB,
          alignment(x), alignment(dz), alignment(dw)};
  return run(key, x, dz, db, dw);
}

}  // namespace labsweep::trainer
