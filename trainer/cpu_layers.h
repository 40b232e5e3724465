#pragma once

// The CPU backend's layer kernels (cpu_backend.h): the linear layer's GEMMs through OpenBLAS and
// the fused elementwise passes around them. Matrices are row-major and contiguous; a batch is
// `rows` x `width`. Pointers never alias unless a comment says so. The GEMMs run on OpenBLAS's
// threads; the elementwise passes run vectorised on the calling thread.

#include <cstdint>

#include "trainer/model_config.h"

namespace labsweep::trainer::cpu {

// z = x w^T, where x is rows x in and w is out x in (nn.Linear's layout): z is rows x out.
void linear_forward(const float* x, const float* w, int rows, int in, int out, float* z);

// The weight's and bias's gradients from dz (rows x out): dw = dz^T x (out x in) and db = the
// column sums of dz. Both are overwritten.
void linear_backward_params(const float* dz, const float* x, int rows, int in, int out, float* dw,
                            float* db);

// The input's gradient dx = dz w (rows x in).
void linear_backward_input(const float* dz, const float* w, int rows, int in, int out, float* dx);

// Adds the bias to every row of z in place: the output layer's logits.
void add_bias(const float* bias, int rows, int width, float* z);

// A hidden layer's elementwise forward: z += bias (kept: the backward pass needs the
// pre-activation), then a = activation(z) * keep, with keep from dropout_mask() or null for no
// dropout.
void bias_activation_forward(Activation activation, const float* bias, int rows, int width,
                             float* z, const float* keep, float* a);

// The inverse of bias_activation_forward for n elements: dz = da * keep * activation'(z), keep
// null for no dropout. dz may alias da.
void activation_backward(Activation activation, const float* z, const float* keep, const float* da,
                         int64_t n, float* dz);

// Inverted dropout's scale for a rows x width batch of one hidden layer: keep[r * width + u] is 0
// when counter_uniform(seed, stream, r * width + u) < p (r counts rows within the batch) and
// 1 / (1 - p) otherwise, so the CUDA backend draws the very same mask (counter_rng.h).
void dropout_mask(uint64_t seed, uint64_t stream, float p, int rows, int width, float* keep);

}  // namespace labsweep::trainer::cpu
