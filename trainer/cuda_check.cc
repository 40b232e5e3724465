#include "trainer/cuda_check.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace labsweep::trainer {
namespace {

[[noreturn]] void die(const Status& status) {
  std::fprintf(stderr, "labsweep-train: CUDA backend: %s\n", status.message().c_str());
  std::abort();
}

}  // namespace

Status cuda_status(cudaError_t error, const char* what) {
  if (error == cudaSuccess) return Status::ok();
  cudaGetLastError();
  return {StatusCode::kInternal, std::string(what) + ": " + cudaGetErrorString(error)};
}

Status cublas_status(cublasStatus_t status, const char* what) {
  if (status == CUBLAS_STATUS_SUCCESS) return Status::ok();
  return {StatusCode::kInternal, std::string(what) + ": " + cublasGetStatusString(status)};
}

void cuda_check(cudaError_t error, const char* what) {
  if (Status status = cuda_status(error, what); !status.is_ok()) die(status);
}

void cublas_check(cublasStatus_t status, const char* what) {
  if (Status s = cublas_status(status, what); !s.is_ok()) die(s);
}

}  // namespace labsweep::trainer
