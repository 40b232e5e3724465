#pragma once

// The CUDA backend's fused kernels (cuda_backend.h), each launched on the caller's stream.
// Matrices are row-major and contiguous, a batch `rows` x `width`. Every kernel that depends on
// the batch reads it from a StepState in device memory rather than from its arguments, so that
// one batch's launches can be captured once into a CUDA graph and replayed for every batch.

#include <cuda_runtime_api.h>

#include <cstdint>

#include "trainer/model_config.h"

namespace labsweep::trainer::cuda {

// What the host sets at the start of an epoch: the names of its dropout draws, and the batch
// to start from.
struct EpochStart {
  uint64_t seed = 0;
  int32_t epoch = 0;
  int32_t next_batch = 0;
};

// The batch in progress, kept on the device. begin_batch() moves it on at the start of each
// batch; the host writes `start` at the start of an epoch and zeroes adam_step when the
// parameters are set.
struct StepState {
  EpochStart start;
  int32_t batch = 0;           // the batch in progress, counted from 0 within the epoch
  int64_t adam_step = 0;       // optimizer steps since set_parameters, this one included
  float lr = 0;                // this batch's learning rate
  float adam_step_size = 0;    // lr / (1 - beta1^t)
  float adam_inv_sqrt_c2 = 0;  // 1 / sqrt(1 - beta2^t)
};

// A hidden layer's dropout: its rate (0: none) and its index, which with the epoch's seed, epoch
// and batch names its draws (counter_rng.h's dropout_stream).
struct DropoutDraws {
  float p = 0;
  int32_t layer = 0;
};

// Starts a batch: batch = next_batch++, counts an optimizer step and computes its scalars from
// learning_rates[batch] (one per batch of the epoch).
void begin_batch(StepState* state, const float* learning_rates, const OptimizerConfig& optimizer,
                 cudaStream_t stream);

// Copies the batch's rows, order[batch * batch_size + r] for r < rows, out of the training set.
void gather_rows(const float* x, const int32_t* y, const int32_t* order, const StepState* state,
                 int batch_size, int rows, int features, float* batch_x, int32_t* batch_y,
                 cudaStream_t stream);

// A hidden layer's forward pass after its GEMM: z += bias (kept for the backward pass), then
// h = activation(z), zeroed where dropped and scaled by 1 / (1 - p) where kept. `state` may be
// null when draws.p is 0.
void bias_activation_forward(Activation activation, const float* bias, int rows, int width,
                             const DropoutDraws& draws, const StepState* state, float* z, float* h,
                             cudaStream_t stream);

// Dropout alone, where a GEMM's epilogue has already applied the bias and activation to z:
// h = z, zeroed where dropped and scaled by 1 / (1 - p) where kept.
void dropout_forward(int rows, int width, const DropoutDraws& draws, const StepState* state,
                     const float* z, float* h, cudaStream_t stream);

// The inverse for a hidden layer: dz = dh * keep * activation'(z), in place over dh, and the
// bias's gradient db = the column sums of dz (overwritten). For ReLU, z may as well be relu(z), or
// h where nothing was dropped: each is positive exactly where z is.
void bias_activation_backward(Activation activation, const float* z, int rows, int width,
                              const DropoutDraws& draws, const StepState* state, float* dh,
                              float* db, cudaStream_t stream);

// The output layer's bias gradient: db = the column sums of dz (overwritten).
void bias_gradient(const float* dz, int rows, int width, float* db, cudaStream_t stream);

// The output layer: logits += bias (unless bias is null: an epilogue added it), then per row loss =
// logsumexp - logit[label], added to *loss_sum; when dlogits is not null it receives (softmax -
// onehot) / rows; when hits is not null it counts rows whose first largest logit is the label's.
void softmax_cross_entropy(const float* bias, const int32_t* labels, int rows, int classes,
                           float* logits, float* dlogits, double* loss_sum,
                           unsigned long long* hits, cudaStream_t stream);

// One optimizer step over all `count` parameters at once (model_config.h's definitions).
void optimizer_update(const OptimizerConfig& optimizer, const StepState* state, int64_t count,
                      const float* grad, float* param, float* first, float* second,
                      cudaStream_t stream);

}  // namespace labsweep::trainer::cuda
