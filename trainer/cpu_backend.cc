#include "trainer/cpu_backend.h"

#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "trainer/counter_rng.h"
#include "trainer/cpu_layers.h"
#include "trainer/cpu_loss.h"
#include "trainer/cpu_optimizer.h"

namespace labsweep::trainer {
namespace {

// A broken caller's invariant (a plan shorter than its batches, a row out of range): a crash
// with a message, per the project's error model.
void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "labsweep-train: cpu backend: %s\n", what);
  std::abort();
}

// A set the model cannot read would make the passes read or write out of bounds.
void check_dataset(const ModelConfig& model, const Dataset& data) {
  if (data.empty()) return;
  check(data.features == model.inputs, "set_data: a set's features differ from the model's inputs");
  check(data.x.size() == static_cast<size_t>(data.rows) * data.features &&
            data.y.size() == static_cast<size_t>(data.rows),
        "set_data: a set's arrays do not match its rows");
  for (int32_t label : data.y) {
    check(label >= 0 && label < model.classes, "set_data: a label is outside the model's classes");
  }
}

// The per-batch buffers of one pass, sized for `capacity` rows and grown only when a larger
// batch comes, so that no batch allocates.
struct Buffers {
  int capacity = 0;
  std::vector<float> input;              // capacity x inputs: the gathered batch
  std::vector<int32_t> labels;           // capacity
  std::vector<std::vector<float>> z;     // per layer: pre-activations (logits for the last)
  std::vector<std::vector<float>> a;     // per hidden layer: activations after dropout
  std::vector<std::vector<float>> keep;  // per hidden layer: dropout scales (training only)
  std::vector<std::vector<float>> dz;    // per layer: d loss / d z (training only)
};

void reserve(const ModelConfig& model, int rows, bool training, Buffers& buffers) {
  if (rows <= buffers.capacity) return;
  buffers.capacity = rows;
  auto size = [rows](int width) { return static_cast<size_t>(rows) * width; };
  buffers.input.resize(size(model.inputs));
  buffers.labels.resize(rows);
  int layers = model.layers(), hidden = layers - 1;
  buffers.z.resize(layers);
  buffers.a.resize(hidden);
  for (int l = 0; l < layers; ++l) buffers.z[l].resize(size(model.layer_outputs(l)));
  for (int l = 0; l < hidden; ++l) buffers.a[l].resize(size(model.hidden[l]));
  if (!training) return;
  buffers.dz.resize(layers);
  for (int l = 0; l < layers; ++l) buffers.dz[l].resize(size(model.layer_outputs(l)));
  if (model.dropout <= 0.0f) return;
  buffers.keep.resize(hidden);
  for (int l = 0; l < hidden; ++l) buffers.keep[l].resize(size(model.hidden[l]));
}

// Where a batch's dropout masks come from (counter_rng.h), or none for evaluation.
struct DropoutDraw {
  bool on = false;
  uint64_t seed = 0;
  int epoch = 0;
  int batch = 0;
};

class CpuBackend final : public Backend {
 public:
  CpuBackend(const ModelConfig& model, const OptimizerConfig& optimizer, int threads)
      : model_(model), threads_(std::max(threads, 1)), optimizer_(optimizer) {
    // The elementwise passes stay on this thread: a second pool (OpenMP) spinning beside
    // OpenBLAS's made whole epochs up to ten times slower on a loaded 2-core machine
    // (docs/benchmarks.md, "The CPU backend").
    openblas_set_num_threads(threads_);
    set_parameters(initial_parameters(model_, 0));
  }

  std::string description() const override {
    return "cpu (OpenBLAS, " + std::to_string(threads_) +
           (threads_ == 1 ? " thread)" : " threads)");
  }

  void set_data(const Dataset& train, const Dataset& validation, const Dataset& test) override {
    for (const Dataset* data : {&train, &validation, &test}) check_dataset(model_, *data);
    train_ = train;
    validation_ = validation;
    test_ = test;
  }

  void set_parameters(const std::vector<std::vector<float>>& parameters) override;
  std::vector<std::vector<float>> parameters() const override { return parameters_; }
  EpochResult train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) override;
  Evaluation evaluate(Split split, int batch_size) override;

 private:
  void gather(const Dataset& data, std::span<const int32_t> rows, Buffers& buffers) const;
  const float* forward(const float* input, int rows, const DropoutDraw& dropout, Buffers& buffers);
  void backward(const float* input, int rows, Buffers& buffers);
  double train_batch(std::span<const int32_t> rows, float lr, const DropoutDraw& dropout);

  ModelConfig model_;
  int threads_;
  cpu::CpuOptimizer optimizer_;
  Dataset train_, validation_, test_;
  std::vector<std::vector<float>> parameters_;  // weight 0, bias 0, weight 1, ...
  std::vector<std::vector<float>> gradients_;   // the same layout
  Buffers train_buffers_, eval_buffers_;
};

void CpuBackend::set_parameters(const std::vector<std::vector<float>>& parameters) {
  check(parameters.size() == static_cast<size_t>(2 * model_.layers()),
        "set_parameters: a weight and a bias per layer expected");
  std::vector<int64_t> sizes;
  for (int l = 0; l < model_.layers(); ++l) {
    sizes.push_back(static_cast<int64_t>(model_.layer_outputs(l)) * model_.layer_inputs(l));
    sizes.push_back(model_.layer_outputs(l));
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    check(static_cast<int64_t>(parameters[i].size()) == sizes[i],
          "set_parameters: a tensor's size does not match the model");
  }
  parameters_ = parameters;
  gradients_.resize(parameters_.size());
  for (size_t i = 0; i < sizes.size(); ++i) gradients_[i].assign(sizes[i], 0.0f);
  optimizer_.reset(sizes);
}

void CpuBackend::gather(const Dataset& data, std::span<const int32_t> rows,
                        Buffers& buffers) const {
  const size_t width = static_cast<size_t>(data.features);
  for (size_t r = 0; r < rows.size(); ++r) {
    int32_t row = rows[r];
    check(row >= 0 && row < data.rows, "a plan's row is outside the training set");
    std::memcpy(buffers.input.data() + r * width, data.x.data() + row * width,
                width * sizeof(float));
    buffers.labels[r] = data.y[row];
  }
}

// Runs the network on `rows` rows of `input`; returns the logits (rows x classes).
const float* CpuBackend::forward(const float* input, int rows, const DropoutDraw& dropout,
                                 Buffers& buffers) {
  const float* x = input;
  const int hidden = model_.layers() - 1;
  for (int l = 0; l <= hidden; ++l) {
    int in = model_.layer_inputs(l), out = model_.layer_outputs(l);
    const float* weight = parameters_[2 * l].data();
    const float* bias = parameters_[2 * l + 1].data();
    float* z = buffers.z[l].data();
    cpu::linear_forward(x, weight, rows, in, out, z);
    if (l == hidden) {
      cpu::add_bias(bias, rows, out, z);
      return z;
    }
    const float* keep = nullptr;
    if (dropout.on) {
      uint64_t stream = dropout_stream(dropout.epoch, dropout.batch, l);
      cpu::dropout_mask(dropout.seed, stream, model_.dropout, rows, out, buffers.keep[l].data());
      keep = buffers.keep[l].data();
    }
    cpu::bias_activation_forward(model_.activation, bias, rows, out, z, keep, buffers.a[l].data());
    x = buffers.a[l].data();
  }
  return nullptr;  // not reached: the last layer returns above
}

// From dz of the last layer (already in buffers.dz) down to the first layer's weights; the
// first layer's input needs no gradient.
void CpuBackend::backward(const float* input, int rows, Buffers& buffers) {
  const bool dropout = model_.dropout > 0.0f;
  for (int l = model_.layers() - 1; l >= 0; --l) {
    int in = model_.layer_inputs(l), out = model_.layer_outputs(l);
    const float* x = l == 0 ? input : buffers.a[l - 1].data();
    const float* dz = buffers.dz[l].data();
    cpu::linear_backward_params(dz, x, rows, in, out, gradients_[2 * l].data(),
                                gradients_[2 * l + 1].data());
    if (l == 0) break;
    float* da = buffers.dz[l - 1].data();
    cpu::linear_backward_input(dz, parameters_[2 * l].data(), rows, in, out, da);
    const float* keep = dropout ? buffers.keep[l - 1].data() : nullptr;
    cpu::activation_backward(model_.activation, buffers.z[l - 1].data(), keep, da,
                             static_cast<int64_t>(rows) * in, da);
  }
}

// One step on the given training rows; returns the sum of their losses before the update.
double CpuBackend::train_batch(std::span<const int32_t> rows, float lr,
                               const DropoutDraw& dropout) {
  const int n = static_cast<int>(rows.size());
  gather(train_, rows, train_buffers_);
  const float* input = train_buffers_.input.data();
  const float* logits = forward(input, n, dropout, train_buffers_);
  double loss_sum =
      cpu::softmax_cross_entropy(logits, train_buffers_.labels.data(), n, model_.classes,
                                 1.0f / static_cast<float>(n), train_buffers_.dz.back().data());
  backward(input, n, train_buffers_);
  optimizer_.step(lr, parameters_, gradients_);
  return loss_sum;
}

EpochResult CpuBackend::train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) {
  check(plan.batch_size > 0, "an epoch plan's batch size must be positive");
  const int64_t rows = static_cast<int64_t>(plan.order.size());
  const int64_t batches =
      plan.drop_last ? rows / plan.batch_size : (rows + plan.batch_size - 1) / plan.batch_size;
  check(static_cast<int64_t>(plan.learning_rates.size()) >= batches,
        "an epoch plan needs one learning rate per batch");
  reserve(model_, plan.batch_size, /*training=*/true, train_buffers_);
  EpochResult result;
  double loss_sum = 0;
  for (int64_t b = 0; b < batches; ++b) {
    if (b > 0 && stop.load(std::memory_order_relaxed)) {
      result.stopped = true;
      break;
    }
    int64_t begin = b * plan.batch_size;
    int64_t count = std::min<int64_t>(plan.batch_size, rows - begin);
    DropoutDraw dropout{model_.dropout > 0.0f, plan.seed, plan.epoch, static_cast<int>(b)};
    loss_sum += train_batch(plan.order.subspan(begin, count), plan.learning_rates[b], dropout);
    ++result.batches;
    result.samples += count;
  }
  result.mean_loss = result.samples > 0 ? loss_sum / static_cast<double>(result.samples) : 0.0;
  return result;
}

Evaluation CpuBackend::evaluate(Split split, int batch_size) {
  check(batch_size > 0, "evaluate: the batch size must be positive");
  const Dataset& data = split == Split::kTrain        ? train_
                        : split == Split::kValidation ? validation_
                                                      : test_;
  reserve(model_, std::min(batch_size, std::max(data.rows, 1)), /*training=*/false, eval_buffers_);
  Evaluation result;
  int64_t hits = 0;
  for (int begin = 0; begin < data.rows; begin += batch_size) {
    int count = std::min(batch_size, data.rows - begin);
    // The rows are contiguous in the set, so the batch is read in place, not gathered.
    const float* input = data.x.data() + static_cast<size_t>(begin) * data.features;
    const float* logits = forward(input, count, DropoutDraw{}, eval_buffers_);
    cpu::LossAndHits sums =
        cpu::cross_entropy_hits(logits, data.y.data() + begin, count, model_.classes);
    result.mean_loss += sums.loss_sum;
    hits += sums.hits;
  }
  result.rows = data.rows;
  if (data.rows > 0) {
    result.mean_loss /= static_cast<double>(data.rows);
    result.accuracy = static_cast<double>(hits) / static_cast<double>(data.rows);
  }
  return result;
}

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const ModelConfig& model,
                                          const OptimizerConfig& optimizer, int threads) {
  return std::make_unique<CpuBackend>(model, optimizer, threads);
}

}  // namespace labsweep::trainer
