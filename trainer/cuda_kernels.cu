#include <cmath>

#include "trainer/counter_rng.h"
#include "trainer/cuda_check.h"
#include "trainer/cuda_kernels.cuh"

namespace labsweep::trainer::cuda {
namespace {

constexpr int kThreads = 256;
constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;

// Enough blocks to fill the device for a grid-stride loop over n elements, and no more.
int blocks_for(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 4096 ? (blocks > 0 ? blocks : 1) : 4096);
}

void check_launch(const char* kernel) { cuda_check(cudaGetLastError(), kernel); }

// The activations exactly as the CPU backend computes them (cpu_layers.cc), in float.
template <Activation A>
__device__ float activate(float x) {
  if constexpr (A == Activation::kRelu) {
    return x > 0.0f ? x : 0.0f;
  } else if constexpr (A == Activation::kTanh) {
    return tanhf(x);
  } else {
    return 0.5f * x * (1.0f + erff(x * kInvSqrt2));
  }
}

template <Activation A>
__device__ float derivative(float x) {
  if constexpr (A == Activation::kRelu) {
    return x > 0.0f ? 1.0f : 0.0f;
  } else if constexpr (A == Activation::kTanh) {
    float t = tanhf(x);
    return 1.0f - t * t;
  } else {
    return 0.5f * (1.0f + erff(x * kInvSqrt2)) + x * kInvSqrt2Pi * expf(-0.5f * x * x);
  }
}

// Inverted dropout's factor for element `index` of the batch: 0 or 1 / (1 - p).
__device__ float keep_scale(const DropoutDraws& draws, const StepState* state, int64_t index) {
  if (draws.p <= 0.0f) return 1.0f;
  uint64_t stream = dropout_stream(state->start.epoch, state->batch, draws.layer);
  float u = counter_uniform(state->start.seed, stream, static_cast<uint64_t>(index));
  return u < draws.p ? 0.0f : 1.0f / (1.0f - draws.p);
}

__global__ void begin_batch_kernel(StepState* state, const float* learning_rates, float beta1,
                                   float beta2) {
  int batch = state->start.next_batch;
  state->batch = batch;
  state->start.next_batch = batch + 1;
  int64_t t = ++state->adam_step;
  float lr = learning_rates[batch];
  state->lr = lr;
  state->adam_step_size = static_cast<float>(lr / (1.0 - pow(double{beta1}, double(t))));
  state->adam_inv_sqrt_c2 = static_cast<float>(1.0 / sqrt(1.0 - pow(double{beta2}, double(t))));
}

__global__ void gather_kernel(const float* x, const int32_t* y, const int32_t* order,
                              const StepState* state, int batch_size, int features, float* batch_x,
                              int32_t* batch_y) {
  int r = blockIdx.x;
  int64_t row = order[static_cast<int64_t>(state->batch) * batch_size + r];
  const float* from = x + row * features;
  float* to = batch_x + static_cast<int64_t>(r) * features;
  for (int f = threadIdx.x; f < features; f += blockDim.x) to[f] = from[f];
  if (threadIdx.x == 0) batch_y[r] = y[row];
}

template <Activation A>
__global__ void forward_kernel(const float* bias, int width, int64_t n, DropoutDraws draws,
                               const StepState* state, float* z, float* h) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    float zi = z[i] + bias[i % width];
    z[i] = zi;
    h[i] = activate<A>(zi) * keep_scale(draws, state, i);
  }
}

// Dropout alone, after an epilogue has applied the bias and activation: h = z * keep.
__global__ void dropout_kernel(int64_t n, DropoutDraws draws, const StepState* state,
                               const float* z, float* h) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n;
       i += int64_t{gridDim.x} * blockDim.x) {
    h[i] = z[i] * keep_scale(draws, state, i);
  }
}

// Column sums over rows: a block owns 32 columns; its 32 x 32 threads walk the rows 32 apart and
// meet in shared memory. Each column's sum is one thread's, in a fixed order: deterministic. `A`
// transforms each element first (the hidden layers' backward pass); with kIdentity it is left as it
// is.
constexpr int kColumns = 32, kRowGroups = 32;
enum class Transform { kIdentity, kRelu, kGelu, kTanh };

template <Transform T>
__device__ float transform(float dh, float z) {
  if constexpr (T == Transform::kRelu) return dh * derivative<Activation::kRelu>(z);
  if constexpr (T == Transform::kGelu) return dh * derivative<Activation::kGelu>(z);
  if constexpr (T == Transform::kTanh) return dh * derivative<Activation::kTanh>(z);
  return dh;
}

template <Transform T>
__global__ void column_sum_kernel(const float* z, int rows, int width, DropoutDraws draws,
                                  const StepState* state, float* dh, float* db) {
  __shared__ float partial[kRowGroups][kColumns];
  int u = blockIdx.x * kColumns + threadIdx.x;
  float sum = 0.0f;
  if (u < width) {
    for (int r = threadIdx.y; r < rows; r += kRowGroups) {
      int64_t i = static_cast<int64_t>(r) * width + u;
      float d = dh[i];
      if constexpr (T != Transform::kIdentity) {
        d = transform<T>(d * keep_scale(draws, state, i), z[i]);
        dh[i] = d;
      }
      sum += d;
    }
  }
  partial[threadIdx.y][threadIdx.x] = sum;
  __syncthreads();
  if (threadIdx.y == 0 && u < width) {
    for (int g = 1; g < kRowGroups; ++g) sum += partial[g][threadIdx.x];
    db[u] = sum;
  }
}

// One warp per row: logits += bias; loss = logsumexp - logit[label]; gradient and hits on
// request. The block's losses meet in shared memory and reach *loss_sum in one atomic add.
constexpr int kRowsPerBlock = 8;

__global__ void softmax_kernel(const float* bias, const int32_t* labels, int rows, int classes,
                               float* logits, float* dlogits, double* loss_sum,
                               unsigned long long* hits) {
  __shared__ double block_loss[kRowsPerBlock];
  __shared__ unsigned block_hits[kRowsPerBlock];
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  int r = blockIdx.x * kRowsPerBlock + warp;
  double loss = 0;
  unsigned hit = 0;
  if (r < rows) {
    float* row = logits + static_cast<int64_t>(r) * classes;
    float best = -INFINITY;
    int best_class = classes;
    for (int c = lane; c < classes; c += 32) {
      float v = bias != nullptr ? row[c] + bias[c] : row[c];
      row[c] = v;
      if (v > best) best = v, best_class = c;
    }
    __syncwarp();  // row[label] below may be another lane's write
    for (int offset = 16; offset > 0; offset /= 2) {
      float other = __shfl_xor_sync(0xffffffffu, best, offset);
      int other_class = __shfl_xor_sync(0xffffffffu, best_class, offset);
      if (other > best || (other == best && other_class < best_class)) {
        best = other, best_class = other_class;
      }
    }
    float sum = 0.0f;
    for (int c = lane; c < classes; c += 32) sum += expf(row[c] - best);
    for (int offset = 16; offset > 0; offset /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, offset);
    int label = labels[r];
    float log_sum = logf(sum);
    loss = static_cast<double>(best + log_sum - row[label]);
    hit = best_class == label ? 1u : 0u;
    if (dlogits != nullptr) {
      float scale = 1.0f / static_cast<float>(rows);
      float* grad = dlogits + static_cast<int64_t>(r) * classes;
      for (int c = lane; c < classes; c += 32) {
        float p = expf(row[c] - best - log_sum);
        grad[c] = (p - (c == label ? 1.0f : 0.0f)) * scale;
      }
    }
  }
  if (lane == 0) block_loss[warp] = loss, block_hits[warp] = hit;
  __syncthreads();
  if (threadIdx.x == 0) {
    double total = 0;
    unsigned long long total_hits = 0;
    for (int w = 0; w < kRowsPerBlock; ++w) total += block_loss[w], total_hits += block_hits[w];
    atomicAdd(loss_sum, total);
    if (hits != nullptr) atomicAdd(hits, total_hits);
  }
}

// model_config.h's optimizers, as cpu_optimizer.cc computes them.
struct OptimizerScalars {
  OptimizerKind kind;
  float weight_decay, momentum, beta1, beta2, eps;
  bool nesterov;
};

// One parameter's update; `first` is SGD's momentum buffer or Adam's first moment.
__device__ void sgd_one(const OptimizerScalars& o, float lr, float& param, float grad,
                        float& first) {
  float g = grad + o.weight_decay * param;
  if (o.momentum != 0.0f) {
    first = o.momentum * first + g;
    g = o.nesterov ? g + o.momentum * first : first;
  }
  param -= lr * g;
}

__device__ void adam_one(const OptimizerScalars& o, const StepState& s, float& param, float grad,
                         float& first, float& second) {
  float decay = o.kind == OptimizerKind::kAdamW ? 1.0f - s.lr * o.weight_decay : 1.0f;
  float coupled_wd = o.kind == OptimizerKind::kAdam ? o.weight_decay : 0.0f;
  float p = param * decay;
  float g = grad + coupled_wd * p;
  first = o.beta1 * first + (1.0f - o.beta1) * g;
  second = o.beta2 * second + (1.0f - o.beta2) * g * g;
  param = p - s.adam_step_size * first / (sqrtf(second) * s.adam_inv_sqrt_c2 + o.eps);
}

template <bool kAdam>
__device__ void update_one(const OptimizerScalars& o, const StepState& s, float& param, float grad,
                           float& first, float& second) {
  if constexpr (kAdam) {
    adam_one(o, s, param, grad, first, second);
  } else {
    sgd_one(o, s.lr, param, grad, first);
  }
}

// Memory-bound: four parameters per thread and step through 16-byte loads (cudaMalloc's
// alignment holds, as every tensor lives in one buffer from its start), the rest one by one.
template <bool kAdam>
__global__ void optimizer_kernel(OptimizerScalars o, const StepState* state, int64_t n,
                                 const float* grad, float* param, float* first, float* second) {
  const StepState s = *state;
  const int64_t stride = int64_t{gridDim.x} * blockDim.x;
  const int64_t start = blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
  const int64_t quads = n / 4;
  for (int64_t i = start; i < quads; i += stride) {
    float4 p = reinterpret_cast<float4*>(param)[i];
    float4 g = reinterpret_cast<const float4*>(grad)[i];
    float4 m = reinterpret_cast<float4*>(first)[i];
    float4 v = kAdam ? reinterpret_cast<float4*>(second)[i] : float4{};
    update_one<kAdam>(o, s, p.x, g.x, m.x, v.x);
    update_one<kAdam>(o, s, p.y, g.y, m.y, v.y);
    update_one<kAdam>(o, s, p.z, g.z, m.z, v.z);
    update_one<kAdam>(o, s, p.w, g.w, m.w, v.w);
    reinterpret_cast<float4*>(param)[i] = p;
    reinterpret_cast<float4*>(first)[i] = m;
    if (kAdam) reinterpret_cast<float4*>(second)[i] = v;
  }
  for (int64_t i = quads * 4 + start; i < n; i += stride) {
    float unused = 0;
    update_one<kAdam>(o, s, param[i], grad[i], first[i], kAdam ? second[i] : unused);
  }
}

}  // namespace

void begin_batch(StepState* state, const float* learning_rates, const OptimizerConfig& optimizer,
                 cudaStream_t stream) {
  begin_batch_kernel<<<1, 1, 0, stream>>>(state, learning_rates, optimizer.beta1, optimizer.beta2);
  check_launch("begin_batch");
}

void gather_rows(const float* x, const int32_t* y, const int32_t* order, const StepState* state,
                 int batch_size, int rows, int features, float* batch_x, int32_t* batch_y,
                 cudaStream_t stream) {
  gather_kernel<<<rows, kThreads, 0, stream>>>(x, y, order, state, batch_size, features, batch_x,
                                               batch_y);
  check_launch("gather_rows");
}

void bias_activation_forward(Activation activation, const float* bias, int rows, int width,
                             const DropoutDraws& draws, const StepState* state, float* z, float* h,
                             cudaStream_t stream) {
  int64_t n = static_cast<int64_t>(rows) * width;
  int blocks = blocks_for(n);
  switch (activation) {
    case Activation::kRelu:
      forward_kernel<Activation::kRelu>
          <<<blocks, kThreads, 0, stream>>>(bias, width, n, draws, state, z, h);
      break;
    case Activation::kGelu:
      forward_kernel<Activation::kGelu>
          <<<blocks, kThreads, 0, stream>>>(bias, width, n, draws, state, z, h);
      break;
    case Activation::kTanh:
      forward_kernel<Activation::kTanh>
          <<<blocks, kThreads, 0, stream>>>(bias, width, n, draws, state, z, h);
      break;
  }
  check_launch("bias_activation_forward");
}

void bias_activation_backward(Activation activation, const float* z, int rows, int width,
                              const DropoutDraws& draws, const StepState* state, float* dh,
                              float* db, cudaStream_t stream) {
  dim3 block(kColumns, kRowGroups), grid((width + kColumns - 1) / kColumns);
  switch (activation) {
    case Activation::kRelu:
      column_sum_kernel<Transform::kRelu>
          <<<grid, block, 0, stream>>>(z, rows, width, draws, state, dh, db);
      break;
    case Activation::kGelu:
      column_sum_kernel<Transform::kGelu>
          <<<grid, block, 0, stream>>>(z, rows, width, draws, state, dh, db);
      break;
    case Activation::kTanh:
      column_sum_kernel<Transform::kTanh>
          <<<grid, block, 0, stream>>>(z, rows, width, draws, state, dh, db);
      break;
  }
  check_launch("bias_activation_backward");
}

void dropout_forward(int rows, int width, const DropoutDraws& draws, const StepState* state,
                     const float* z, float* h, cudaStream_t stream) {
  int64_t n = static_cast<int64_t>(rows) * width;
  dropout_kernel<<<blocks_for(n), kThreads, 0, stream>>>(n, draws, state, z, h);
  check_launch("dropout_forward");
}

void bias_gradient(const float* dz, int rows, int width, float* db, cudaStream_t stream) {
  dim3 block(kColumns, kRowGroups), grid((width + kColumns - 1) / kColumns);
  // The identity transform only reads dz; the kernel's in-place parameter is never written.
  column_sum_kernel<Transform::kIdentity><<<grid, block, 0, stream>>>(
      nullptr, rows, width, DropoutDraws{}, nullptr, const_cast<float*>(dz), db);
  check_launch("bias_gradient");
}

void softmax_cross_entropy(const float* bias, const int32_t* labels, int rows, int classes,
                           float* logits, float* dlogits, double* loss_sum,
                           unsigned long long* hits, cudaStream_t stream) {
  int blocks = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  softmax_kernel<<<blocks, kRowsPerBlock * 32, 0, stream>>>(bias, labels, rows, classes, logits,
                                                            dlogits, loss_sum, hits);
  check_launch("softmax_cross_entropy");
}

void optimizer_update(const OptimizerConfig& optimizer, const StepState* state, int64_t count,
                      const float* grad, float* param, float* first, float* second,
                      cudaStream_t stream) {
  OptimizerScalars o{optimizer.kind,  optimizer.weight_decay, optimizer.momentum, optimizer.beta1,
                     optimizer.beta2, optimizer.eps,          optimizer.nesterov};
  int blocks = blocks_for((count + 3) / 4);
  if (optimizer.kind == OptimizerKind::kSgd) {
    optimizer_kernel<false>
        <<<blocks, kThreads, 0, stream>>>(o, state, count, grad, param, first, second);
  } else {
    optimizer_kernel<true>
        <<<blocks, kThreads, 0, stream>>>(o, state, count, grad, param, first, second);
  }
  check_launch("optimizer_update");
}

}  // namespace labsweep::trainer::cuda
