#include "trainer/cuda_backend.h"

#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "trainer/cuda_blas.h"
#include "trainer/cuda_buffer.h"
#include "trainer/cuda_check.h"
#include "trainer/cuda_kernels.cuh"
#include "trainer/cuda_lt_gemm.h"

namespace labsweep::trainer {
namespace {

// Batches launched ahead of the GPU at most: enough to keep it busy, few enough that a stop
// takes effect within a few batches rather than after the driver's whole launch queue.
constexpr int kBatchesInFlight = 4;

// A broken caller's invariant (a plan shorter than its batches, a row out of range): a crash
// with a message, as in the CPU backend.
void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "labsweep-train: CUDA backend: %s\n", what);
  std::abort();
}

template <typename T>
void upload(DeviceBuffer<T>& to, const T* from, size_t count, cudaStream_t stream) {
  to.reserve(count);
  if (count > 0) {
    cuda_check(cudaMemcpyAsync(to.data(), from, count * sizeof(T), cudaMemcpyHostToDevice, stream),
               "cudaMemcpyAsync");
  }
}

// One set on the device.
struct DeviceSet {
  int rows = 0, features = 0;
  DeviceBuffer<float> x;
  DeviceBuffer<int32_t> y;
};

// The per-batch buffers, sized for `capacity` rows and grown only when a larger batch comes.
struct Activations {
  int capacity = 0;
  DeviceBuffer<float> batch_x;
  DeviceBuffer<int32_t> batch_y;
  std::vector<DeviceBuffer<float>> z;   // per layer: pre-activations (logits for the last)
  std::vector<DeviceBuffer<float>> h;   // per hidden layer: activations after dropout
  std::vector<DeviceBuffer<float>> dh;  // per layer: d loss / d output, turned into d loss / d z
};

// CUDA events around each GEMM of an epoch, in pairs, when CudaOptions::time_gemms asks.
class GemmTimer {
 public:
  ~GemmTimer() {
    for (cudaEvent_t event : events_) cudaEventDestroy(event);
  }
  void begin_epoch() { used_ = 0; }
  void mark(cudaStream_t stream) {
    if (used_ == events_.size()) {
      cudaEvent_t event;
      cuda_check(cudaEventCreate(&event), "cudaEventCreate");
      events_.push_back(event);
    }
    cuda_check(cudaEventRecord(events_[used_++], stream), "cudaEventRecord");
  }
  // Sums the time between each pair of marks; the stream must have finished them.
  double total_ms() const {
    double total = 0;
    for (size_t i = 0; i + 1 < used_; i += 2) {
      float ms = 0;
      cuda_check(cudaEventElapsedTime(&ms, events_[i], events_[i + 1]), "cudaEventElapsedTime");
      total += ms;
    }
    return total;
  }

 private:
  std::vector<cudaEvent_t> events_;
  size_t used_ = 0;
};

class CudaBackendImpl final : public CudaBackend {
 public:
  CudaBackendImpl(const ModelConfig& model, const OptimizerConfig& optimizer,
                  const CudaOptions& options)
      : model_(model), optimizer_(optimizer), options_(options) {
    if (options_.time_gemms) options_.graphs = false;
  }
  ~CudaBackendImpl() override;

  Status init();

  std::string description() const override {
    return "cuda (" + device_name_ + ", TF32 " + (options_.tf32 ? "on" : "off") + ")";
  }
  void set_data(const Dataset& train, const Dataset& validation, const Dataset& test) override;
  void set_parameters(const std::vector<std::vector<float>>& parameters) override;
  std::vector<std::vector<float>> parameters() const override;
  EpochResult train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) override;
  Evaluation evaluate(Split split, int batch_size) override;
  double last_epoch_gemm_ms() const override { return gemm_ms_; }
  EpiloguesUsed epilogues_used() const override { return used_; }

 private:
  float* weight(int l) { return params_.data() + offsets_[2 * l]; }
  float* bias(int l) { return params_.data() + offsets_[2 * l + 1]; }
  void reserve(int rows);
  void upload_set(const Dataset& set, DeviceSet& to);
  void start_epoch(const EpochPlan& plan, int64_t batches);
  void run_batch(int rows, int batch_size);
  void train_step(int rows, int batch_size);
  void forward(const float* x, const int32_t* y, int rows, bool training);
  void backward(int rows);
  void gemm_forward(const float* x, int l, int rows, float* z);
  void gemm_weight_grad(const float* dz, const float* x, int l, int rows);
  void gemm_input_grad(const float* dz, int l, int rows, float* dx);
  const float* hidden_forward(const float* input, int l, int rows, bool training);
  bool lt_forward(const float* x, int l, int rows, bool relu, float* z);
  bool lt_output_weight_grad(const float* dz, const float* x, int rows);
  void drop_graph();

  ModelConfig model_;
  OptimizerConfig optimizer_;
  CudaOptions options_;
  std::string device_name_;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<CublasHandle> blas_;
  std::unique_ptr<LtGemm> lt_;  // null: epilogues off, or cuBLASLt unavailable
  // Per hidden layer, what its backward pass reads as the activation's input: z, or for ReLU
  // folded into the GEMM, relu(z) (in z) or h itself when nothing was dropped.
  std::vector<const float*> activation_input_;
  EpiloguesUsed used_;
  std::vector<int64_t> offsets_;  // where each tensor starts, weight 0, bias 0, ...; then the end
  DeviceBuffer<float> params_, grads_, first_, second_;
  DeviceBuffer<cuda::StepState> state_;
  DeviceBuffer<double> loss_sum_;
  DeviceBuffer<unsigned long long> hits_;
  DeviceBuffer<int32_t> order_;
  DeviceBuffer<float> learning_rates_;
  DeviceSet train_, validation_, test_;
  Activations act_;
  cuda::EpochStart epoch_start_;  // host memory the epoch's start is copied from
  cudaGraphExec_t graph_ = nullptr;
  int graph_rows_ = 0;
  GemmTimer timer_;
  double gemm_ms_ = 0;
  cudaEvent_t batch_done_[kBatchesInFlight] = {};  // recorded after each batch, in a ring
};

CudaBackendImpl::~CudaBackendImpl() {
  for (cudaEvent_t event : batch_done_) {
    if (event != nullptr) cudaEventDestroy(event);
  }
  drop_graph();
  blas_.reset();
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

Status CudaBackendImpl::init() {
  int devices = 0;
  if (Status s = cuda_status(cudaGetDeviceCount(&devices), "cudaGetDeviceCount"); !s.is_ok()) {
    return {StatusCode::kFailedPrecondition, "no CUDA device: " + s.message()};
  }
  if (devices == 0) return {StatusCode::kFailedPrecondition, "no CUDA device: none visible"};
  cudaDeviceProp properties{};
  if (Status s = cuda_status(cudaGetDeviceProperties(&properties, 0), "cudaGetDeviceProperties");
      !s.is_ok()) {
    return s;
  }
  device_name_ = properties.name;
  if (Status s = cuda_status(cudaSetDevice(0), "cudaSetDevice"); !s.is_ok()) return s;
  // A blocking stream: work on the legacy default stream (a benchmark's events) orders with it.
  if (Status s = cuda_status(cudaStreamCreate(&stream_), "cudaStreamCreate"); !s.is_ok()) return s;
  for (cudaEvent_t& event : batch_done_) {
    Status s =
        cuda_status(cudaEventCreateWithFlags(&event, cudaEventDisableTiming), "cudaEventCreate");
    if (!s.is_ok()) return s;
  }
  Result<CublasHandle> blas =
      CublasHandle::create(stream_, options_.tf32 ? MathMode::kTf32 : MathMode::kFloat32);
  if (!blas.is_ok()) return blas.status();
  blas_ = std::make_unique<CublasHandle>(std::move(blas).value());
  if (options_.epilogues) {
    Result<std::unique_ptr<LtGemm>> lt =
        LtGemm::create(stream_, options_.tf32 ? MathMode::kTf32 : MathMode::kFloat32);
    if (lt.is_ok()) lt_ = std::move(lt).value();  // otherwise the kernels do the epilogues' work
  }
  activation_input_.assign(model_.hidden.size(), nullptr);
  offsets_ = {0};
  for (int l = 0; l < model_.layers(); ++l) {
    int64_t in = model_.layer_inputs(l), out = model_.layer_outputs(l);
    offsets_.push_back(offsets_.back() + out * in);
    offsets_.push_back(offsets_.back() + out);
  }
  size_t count = static_cast<size_t>(offsets_.back());
  for (DeviceBuffer<float>* buffer : {&params_, &grads_, &first_, &second_}) {
    if (Status s = buffer->allocate(count); !s.is_ok()) return s;
  }
  for (Status s : {state_.allocate(1), loss_sum_.allocate(1), hits_.allocate(1)}) {
    if (!s.is_ok()) return s;
  }
  set_parameters(initial_parameters(model_, 0));
  return cuda_status(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

void CudaBackendImpl::upload_set(const Dataset& set, DeviceSet& to) {
  to.rows = set.rows;
  to.features = set.features;
  check(set.rows == 0 || set.features == model_.inputs, "set_data: features differ from inputs");
  check(set.x.size() == static_cast<size_t>(set.rows) * set.features, "set_data: x's size");
  check(set.y.size() == static_cast<size_t>(set.rows), "set_data: one label per row expected");
  for (int32_t label : set.y) {
    check(label >= 0 && label < model_.classes, "set_data: a label is outside the classes");
  }
  upload(to.x, set.x.data(), set.x.size(), stream_);
  upload(to.y, set.y.data(), set.y.size(), stream_);
}

void CudaBackendImpl::set_data(const Dataset& train, const Dataset& validation,
                               const Dataset& test) {
  drop_graph();  // the graph names the training set's buffers
  upload_set(train, train_);
  upload_set(validation, validation_);
  upload_set(test, test_);
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

void CudaBackendImpl::set_parameters(const std::vector<std::vector<float>>& parameters) {
  check(parameters.size() == static_cast<size_t>(2 * model_.layers()),
        "set_parameters: a weight and a bias per layer expected");
  for (size_t i = 0; i < parameters.size(); ++i) {
    check(static_cast<int64_t>(parameters[i].size()) == offsets_[i + 1] - offsets_[i],
          "set_parameters: a tensor's size does not match the model");
    cuda_check(
        cudaMemcpyAsync(params_.data() + offsets_[i], parameters[i].data(),
                        parameters[i].size() * sizeof(float), cudaMemcpyHostToDevice, stream_),
        "cudaMemcpyAsync");
  }
  size_t bytes = params_.size() * sizeof(float);
  cuda_check(cudaMemsetAsync(first_.data(), 0, bytes, stream_), "cudaMemsetAsync");
  cuda_check(cudaMemsetAsync(second_.data(), 0, bytes, stream_), "cudaMemsetAsync");
  cuda_check(cudaMemsetAsync(state_.data(), 0, sizeof(cuda::StepState), stream_),
             "cudaMemsetAsync");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
}

std::vector<std::vector<float>> CudaBackendImpl::parameters() const {
  std::vector<std::vector<float>> parameters;
  for (size_t i = 0; i + 1 < offsets_.size(); ++i) {
    std::vector<float> tensor(offsets_[i + 1] - offsets_[i]);
    cuda_check(cudaMemcpyAsync(tensor.data(), params_.data() + offsets_[i],
                               tensor.size() * sizeof(float), cudaMemcpyDeviceToHost, stream_),
               "cudaMemcpyAsync");
    parameters.push_back(std::move(tensor));
  }
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  return parameters;
}

void CudaBackendImpl::reserve(int rows) {
  if (rows <= act_.capacity) return;
  drop_graph();  // the graph names the old buffers
  act_.capacity = rows;
  auto size = [rows](int width) { return static_cast<size_t>(rows) * width; };
  act_.batch_x.reserve(size(model_.inputs));
  act_.batch_y.reserve(rows);
  int layers = model_.layers();
  act_.z.resize(layers);
  act_.h.resize(layers - 1);
  act_.dh.resize(layers);
  for (int l = 0; l < layers; ++l) {
    act_.z[l].reserve(size(model_.layer_outputs(l)));
    act_.dh[l].reserve(size(model_.layer_outputs(l)));
    if (l < layers - 1) act_.h[l].reserve(size(model_.hidden[l]));
  }
}

void CudaBackendImpl::drop_graph() {
  if (graph_ != nullptr) cudaGraphExecDestroy(graph_);
  graph_ = nullptr;
  graph_rows_ = 0;
}
void CudaBackendImpl::gemm_forward(const float* x, int l, int rows, float* z) {
  if (options_.time_gemms) timer_.mark(stream_);
  gemm_linear_forward(*blas_, x, weight(l), rows, model_.layer_inputs(l), model_.layer_outputs(l),
                      z);
  if (options_.time_gemms) timer_.mark(stream_);
}

void CudaBackendImpl::gemm_weight_grad(const float* dz, const float* x, int l, int rows) {
  if (options_.time_gemms) timer_.mark(stream_);
  gemm_linear_weight_grad(*blas_, dz, x, rows, model_.layer_inputs(l), model_.layer_outputs(l),
                          grads_.data() + offsets_[2 * l]);
  if (options_.time_gemms) timer_.mark(stream_);
}

void CudaBackendImpl::gemm_input_grad(const float* dz, int l, int rows, float* dx) {
  if (options_.time_gemms) timer_.mark(stream_);
  gemm_linear_input_grad(*blas_, dz, weight(l), rows, model_.layer_inputs(l),
                         model_.layer_outputs(l), dx);
  if (options_.time_gemms) timer_.mark(stream_);
}

bool CudaBackendImpl::lt_forward(const float* x, int l, int rows, bool relu, float* z) {
  if (lt_ == nullptr) return false;
  if (options_.time_gemms) timer_.mark(stream_);
  bool done = lt_->linear_forward(x, weight(l), bias(l), rows, model_.layer_inputs(l),
                                  model_.layer_outputs(l), relu, z);
  if (options_.time_gemms) timer_.mark(stream_);
  if (done) (relu ? used_.relu_bias : used_.bias) = true;
  return done;
}

bool CudaBackendImpl::lt_output_weight_grad(const float* dz, const float* x, int rows) {
  if (lt_ == nullptr) return false;
  const int l = model_.layers() - 1;
  if (options_.time_gemms) timer_.mark(stream_);
  bool done =
      lt_->linear_weight_grad(dz, x, rows, model_.layer_inputs(l), model_.classes,
                              grads_.data() + offsets_[2 * l], grads_.data() + offsets_[2 * l + 1]);
  if (options_.time_gemms) timer_.mark(stream_);
  return done;
}

// Hidden layer l of `rows` rows of input: h, and what its backward pass reads in
// activation_input_. ReLU rides on the GEMM's epilogue where it can; dropout stays a kernel of
// its own so that its masks are counter_rng.h's, as on the CPU.
const float* CudaBackendImpl::hidden_forward(const float* input, int l, int rows, bool training) {
  cuda::DropoutDraws draws{training ? model_.dropout : 0.0f, l};
  float* z = act_.z[l].data();
  float* h = act_.h[l].data();
  const bool relu = model_.activation == Activation::kRelu;
  if (relu && lt_forward(input, l, rows, /*relu=*/true, draws.p > 0 ? z : h)) {
    activation_input_[l] = draws.p > 0 ? z : h;
    if (draws.p > 0) {
      cuda::dropout_forward(rows, model_.hidden[l], draws, state_.data(), z, h, stream_);
    }
    return h;
  }
  gemm_forward(input, l, rows, z);
  cuda::bias_activation_forward(model_.activation, bias(l), rows, model_.hidden[l], draws,
                                state_.data(), z, h, stream_);
  activation_input_[l] = z;
  return h;
}

// Logits of `rows` rows of x, their loss added to loss_sum_ (and hits counted when not
// training); when training, dropout after each hidden layer and the logits' gradient in dh.
void CudaBackendImpl::forward(const float* x, const int32_t* y, int rows, bool training) {
  const float* input = x;
  const int last = model_.layers() - 1;
  for (int l = 0; l < last; ++l) input = hidden_forward(input, l, rows, training);
  float* logits = act_.z[last].data();
  const bool biased = lt_forward(input, last, rows, /*relu=*/false, logits);
  if (!biased) gemm_forward(input, last, rows, logits);
  cuda::softmax_cross_entropy(biased ? nullptr : bias(last), y, rows, model_.classes, logits,
                              training ? act_.dh[last].data() : nullptr, loss_sum_.data(),
                              training ? nullptr : hits_.data(), stream_);
}

// From the logits' gradient in dh[last] to every parameter's gradient in grads_.
void CudaBackendImpl::backward(int rows) {
  const int last = model_.layers() - 1;
  for (int l = last; l >= 0; --l) {
    float* dz = act_.dh[l].data();
    const float* input = l == 0 ? act_.batch_x.data() : act_.h[l - 1].data();
    if (l == last) {
      if (!lt_output_weight_grad(dz, input, rows)) {
        cuda::bias_gradient(dz, rows, model_.classes, grads_.data() + offsets_[2 * l + 1], stream_);
        gemm_weight_grad(dz, input, l, rows);
      }
    } else {
      cuda::DropoutDraws draws{model_.dropout, l};
      cuda::bias_activation_backward(model_.activation, activation_input_[l], rows,
                                     model_.hidden[l], draws, state_.data(), dz,
                                     grads_.data() + offsets_[2 * l + 1], stream_);
      gemm_weight_grad(dz, input, l, rows);
    }
    if (l > 0) gemm_input_grad(dz, l, rows, act_.dh[l - 1].data());
  }
}

// One batch of `rows` rows at the position StepState names, launched without waiting.
void CudaBackendImpl::train_step(int rows, int batch_size) {
  cuda::begin_batch(state_.data(), learning_rates_.data(), optimizer_, stream_);
  cuda::gather_rows(train_.x.data(), train_.y.data(), order_.data(), state_.data(), batch_size,
                    rows, model_.inputs, act_.batch_x.data(), act_.batch_y.data(), stream_);
  forward(act_.batch_x.data(), act_.batch_y.data(), rows, /*training=*/true);
  backward(rows);
  cuda::optimizer_update(optimizer_, state_.data(), offsets_.back(), grads_.data(), params_.data(),
                         first_.data(), second_.data(), stream_);
}

// A full batch replays the graph captured from the first one; anything else (the last, shorter
// batch; graphs off; a capture that failed) launches its kernels one by one.
void CudaBackendImpl::run_batch(int rows, int batch_size) {
  if (!options_.graphs || rows != batch_size) return train_step(rows, batch_size);
  if (graph_ == nullptr || graph_rows_ != rows) {
    drop_graph();
    cudaGraph_t graph = nullptr;
    cuda_check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal),
               "cudaStreamBeginCapture");
    train_step(rows, batch_size);
    cuda_check(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture");
    Status instantiated =
        cuda_status(cudaGraphInstantiate(&graph_, graph, 0), "cudaGraphInstantiate");
    cudaGraphDestroy(graph);
    if (!instantiated.is_ok()) {
      std::fprintf(stderr, "labsweep-train: CUDA backend: %s; batches run without graphs\n",
                   instantiated.message().c_str());
      graph_ = nullptr;
      options_.graphs = false;
      return train_step(rows, batch_size);
    }
    graph_rows_ = rows;
  }
  cuda_check(cudaGraphLaunch(graph_, stream_), "cudaGraphLaunch");
}

void CudaBackendImpl::start_epoch(const EpochPlan& plan, int64_t batches) {
  check(plan.batch_size > 0, "an epoch plan's batch size must be positive");
  check(static_cast<int64_t>(plan.learning_rates.size()) >= batches,
        "an epoch plan needs one learning rate per batch");
  for (int32_t row : plan.order) {
    check(row >= 0 && row < train_.rows, "a plan's row is outside the training set");
  }
  reserve(plan.batch_size);
  // The graph names the order's and learning rates' buffers: growing them drops it.
  if (order_.size() < plan.order.size() || learning_rates_.size() < plan.learning_rates.size()) {
    drop_graph();
  }
  upload(order_, plan.order.data(), plan.order.size(), stream_);
  upload(learning_rates_, plan.learning_rates.data(), plan.learning_rates.size(), stream_);
  epoch_start_ = {plan.seed, plan.epoch, 0};
  cuda_check(cudaMemcpyAsync(&state_.data()->start, &epoch_start_, sizeof(epoch_start_),
                             cudaMemcpyHostToDevice, stream_),
             "cudaMemcpyAsync");
  cuda_check(cudaMemsetAsync(loss_sum_.data(), 0, sizeof(double), stream_), "cudaMemsetAsync");
  timer_.begin_epoch();
}

EpochResult CudaBackendImpl::train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) {
  const int64_t rows = static_cast<int64_t>(plan.order.size());
  const int64_t batches = plan.batch_size <= 0 ? 0
                          : plan.drop_last     ? rows / plan.batch_size
                                               : (rows + plan.batch_size - 1) / plan.batch_size;
  start_epoch(plan, batches);
  EpochResult result;
  for (int64_t b = 0; b < batches; ++b) {
    if (b > 0 && stop.load(std::memory_order_relaxed)) {
      result.stopped = true;
      break;
    }
    int count = static_cast<int>(std::min<int64_t>(plan.batch_size, rows - b * plan.batch_size));
    cudaEvent_t& done = batch_done_[b % kBatchesInFlight];
    if (b >= kBatchesInFlight) cuda_check(cudaEventSynchronize(done), "cudaEventSynchronize");
    run_batch(count, plan.batch_size);
    cuda_check(cudaEventRecord(done, stream_), "cudaEventRecord");
    ++result.batches;
    result.samples += count;
  }
  double loss_sum = 0;
  cuda_check(
      cudaMemcpyAsync(&loss_sum, loss_sum_.data(), sizeof(double), cudaMemcpyDeviceToHost, stream_),
      "cudaMemcpyAsync");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  result.mean_loss = result.samples > 0 ? loss_sum / static_cast<double>(result.samples) : 0.0;
  if (options_.time_gemms) gemm_ms_ = timer_.total_ms();
  return result;
}

Evaluation CudaBackendImpl::evaluate(Split split, int batch_size) {
  check(batch_size > 0, "evaluate: the batch size must be positive");
  const DeviceSet& data = split == Split::kTrain        ? train_
                          : split == Split::kValidation ? validation_
                                                        : test_;
  reserve(std::min(batch_size, std::max(data.rows, 1)));
  cuda_check(cudaMemsetAsync(loss_sum_.data(), 0, sizeof(double), stream_), "cudaMemsetAsync");
  cuda_check(cudaMemsetAsync(hits_.data(), 0, sizeof(unsigned long long), stream_),
             "cudaMemsetAsync");
  // The rows are contiguous in the set, so each batch is read in place, not gathered.
  for (int begin = 0; begin < data.rows; begin += batch_size) {
    int count = std::min(batch_size, data.rows - begin);
    forward(data.x.data() + static_cast<int64_t>(begin) * data.features, data.y.data() + begin,
            count, /*training=*/false);
  }
  double loss_sum = 0;
  unsigned long long hits = 0;
  cuda_check(
      cudaMemcpyAsync(&loss_sum, loss_sum_.data(), sizeof(double), cudaMemcpyDeviceToHost, stream_),
      "cudaMemcpyAsync");
  cuda_check(cudaMemcpyAsync(&hits, hits_.data(), sizeof(hits), cudaMemcpyDeviceToHost, stream_),
             "cudaMemcpyAsync");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  Evaluation evaluation;
  evaluation.rows = data.rows;
  if (data.rows > 0) {
    evaluation.mean_loss = loss_sum / data.rows;
    evaluation.accuracy = static_cast<double>(hits) / data.rows;
  }
  return evaluation;
}

}  // namespace

Result<std::unique_ptr<CudaBackend>> make_cuda_backend_with(const ModelConfig& model,
                                                            const OptimizerConfig& optimizer,
                                                            const CudaOptions& options) {
  auto backend = std::make_unique<CudaBackendImpl>(model, optimizer, options);
  if (Status status = backend->init(); !status.is_ok()) return status;
  return std::unique_ptr<CudaBackend>(std::move(backend));
}

Result<std::unique_ptr<Backend>> make_cuda_backend(const ModelConfig& model,
                                                   const OptimizerConfig& optimizer, bool tf32) {
  CudaOptions options;
  options.tf32 = tf32;
  Result<std::unique_ptr<CudaBackend>> backend = make_cuda_backend_with(model, optimizer, options);
  if (!backend.is_ok()) return backend.status();
  return std::unique_ptr<Backend>(std::move(backend).value());
}

}  // namespace labsweep::trainer
