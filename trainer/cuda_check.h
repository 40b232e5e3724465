#pragma once

// CUDA's and cuBLAS's return codes in labsweep's error model (base/status.h). Where a caller can
// still report (the device's set-up, the first allocations) a failure is a Status naming the
// call; inside an epoch, whose interface (backend.h) has no error path, a failure means a broken
// device or a bug and aborts with the same message.

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include "base/status.h"

namespace labsweep::trainer {

// Ok for cudaSuccess; otherwise "`what`: <CUDA's description>". Clears CUDA's sticky last error.
Status cuda_status(cudaError_t error, const char* what);
Status cublas_status(cublasStatus_t status, const char* what);

// The same, aborting with the message on failure.
void cuda_check(cudaError_t error, const char* what);
void cublas_check(cublasStatus_t status, const char* what);

}  // namespace labsweep::trainer
