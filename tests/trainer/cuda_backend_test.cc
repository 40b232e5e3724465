#include "trainer/cuda_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "tests/trainer/tiny_data.h"
#include "trainer/cpu_backend.h"

namespace labsweep::trainer {
namespace {

using Tensors = std::vector<std::vector<float>>;

// The largest difference between two tensors, relative to how far training moved the expected
// one from where both started: a scale-free error that a wrong mask or update cannot hide in.
double relative_error(const std::vector<float>& actual, const std::vector<float>& expected,
                      const std::vector<float>& start) {
  double diff = 0, moved = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    diff = std::max(diff, std::abs(double{actual[i]} - expected[i]));
    moved = std::max(moved, std::abs(double{expected[i]} - start[i]));
  }
  return moved > 0 ? diff / moved : diff;
}

// Every tensor of `actual` against `expected` within `tolerance`.
void expect_close(const Tensors& actual, const Tensors& expected, const Tensors& start,
                  double tolerance) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t t = 0; t < actual.size(); ++t) {
    ASSERT_EQ(actual[t].size(), expected[t].size());
    EXPECT_LE(relative_error(actual[t], expected[t], start[t]), tolerance) << "tensor " << t;
  }
}

ModelConfig small_model(Activation activation, float dropout) {
  ModelConfig model;
  model.inputs = 24;
  model.hidden = {37, 19};  // not multiples of a warp, so the kernels' edges are exercised
  model.classes = 5;
  model.activation = activation;
  model.dropout = dropout;
  return model;
}

OptimizerConfig optimizer_of(OptimizerKind kind, bool nesterov) {
  OptimizerConfig optimizer;
  optimizer.kind = kind;
  optimizer.nesterov = nesterov;
  optimizer.weight_decay = 0.01f;
  return optimizer;
}

// An epoch over all rows in a shuffled order, cut into batches of 32 (the last one shorter).
struct Plan {
  std::vector<int32_t> order;
  std::vector<float> rates;
  EpochPlan plan;
};

Plan make_plan(int rows, int epoch, float lr) {
  Plan p;
  p.order.resize(rows);
  std::iota(p.order.begin(), p.order.end(), 0);
  for (int i = rows - 1; i > 0; --i) {
    std::swap(p.order[i], p.order[counter_bits(7, 2000 + epoch, i) % (i + 1)]);
  }
  p.plan.epoch = epoch;
  p.plan.seed = 42;
  p.plan.batch_size = 32;
  int batches = (rows + 31) / 32;
  for (int b = 0; b < batches; ++b) p.rates.push_back(lr * (1.0f - 0.05f * b));
  p.plan.order = p.order;
  p.plan.learning_rates = p.rates;
  return p;
}

// Makes the CUDA backend, or says why the test cannot run here.
std::unique_ptr<CudaBackend> cuda_or_null(const ModelConfig& model,
                                          const OptimizerConfig& optimizer, CudaOptions options,
                                          std::string& why) {
  Result<std::unique_ptr<CudaBackend>> backend = make_cuda_backend_with(model, optimizer, options);
  if (!backend.is_ok()) {
    why = "no usable GPU here: " + backend.status().message();
    return nullptr;
  }
  return std::move(backend).value();
}

#define MAKE_CUDA_OR_SKIP(name, model, optimizer, options)         \
  std::string why_##name;                                          \
  auto name = cuda_or_null(model, optimizer, options, why_##name); \
  if (name == nullptr) GTEST_SKIP() << why_##name

TEST(CudaBackendTest, SaysWhyWhenThereIsNoGpu) {
  Result<std::unique_ptr<Backend>> backend =
      make_cuda_backend(small_model(Activation::kRelu, 0.0f), OptimizerConfig{}, false);
  if (backend.is_ok()) GTEST_SKIP() << "a GPU is here: " << (*backend)->description();
  const std::string& message = backend.status().message();
  EXPECT_EQ(message.rfind("no CUDA device: ", 0), 0u) << message;
  EXPECT_GT(message.size(), std::string("no CUDA device: ").size()) << message;
}

struct StepCase {
  const char* name;
  OptimizerKind kind;
  bool nesterov;
  Activation activation;
  float lr;
  float dropout = 0.25f;
};

class CudaAgainstCpuTest : public ::testing::TestWithParam<std::tuple<StepCase, bool, bool>> {};

// Two epochs of each backend from the same parameters, data and plans (dropout and weight decay
// on): the same losses and parameters within float32's (or TF32's) rounding.
TEST_P(CudaAgainstCpuTest, TwoEpochsMatchTheCpuBackend) {
  const auto& [c, tf32, epilogues] = GetParam();
  ModelConfig model = small_model(c.activation, c.dropout);
  OptimizerConfig optimizer = optimizer_of(c.kind, c.nesterov);
  CudaOptions options;
  options.tf32 = tf32;
  options.epilogues = epilogues;
  MAKE_CUDA_OR_SKIP(gpu, model, optimizer, options);
  std::unique_ptr<Backend> cpu = make_cpu_backend(model, optimizer, 1);
  Dataset train = testing::random_dataset(150, model.inputs, model.classes, 1);
  Dataset validation = testing::random_dataset(70, model.inputs, model.classes, 2);
  Dataset test = testing::random_dataset(45, model.inputs, model.classes, 3);
  Tensors start = initial_parameters(model, 9);
  for (Backend* backend : {static_cast<Backend*>(gpu.get()), cpu.get()}) {
    backend->set_data(train, validation, test);
    backend->set_parameters(start);
  }
  const double tolerance = tf32 ? 3e-2 : 2e-3;
  std::atomic<bool> stop{false};
  for (int epoch = 0; epoch < 2; ++epoch) {
    Plan p = make_plan(train.rows, epoch, c.lr);
    EpochResult on_gpu = gpu->train_epoch(p.plan, stop), on_cpu = cpu->train_epoch(p.plan, stop);
    EXPECT_EQ(on_gpu.batches, 5);
    EXPECT_EQ(on_gpu.batches, on_cpu.batches);
    EXPECT_EQ(on_gpu.samples, on_cpu.samples);
    EXPECT_FALSE(on_gpu.stopped);
    EXPECT_NEAR(on_gpu.mean_loss, on_cpu.mean_loss, tolerance * on_cpu.mean_loss) << epoch;
  }
  expect_close(gpu->parameters(), cpu->parameters(), start, tolerance);
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    Evaluation on_gpu = gpu->evaluate(split, 16), on_cpu = cpu->evaluate(split, 16);
    EXPECT_EQ(on_gpu.rows, on_cpu.rows);
    EXPECT_NEAR(on_gpu.mean_loss, on_cpu.mean_loss, tolerance * on_cpu.mean_loss);
    // A row whose two largest logits nearly tie may go either way; no more than one per set.
    EXPECT_NEAR(on_gpu.accuracy, on_cpu.accuracy, 1.0 / on_cpu.rows + 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Optimizers, CudaAgainstCpuTest,
    ::testing::Combine(
        ::testing::Values(
            StepCase{"sgd_relu", OptimizerKind::kSgd, false, Activation::kRelu, 0.1f},
            StepCase{"nesterov_tanh", OptimizerKind::kSgd, true, Activation::kTanh, 0.1f},
            StepCase{"adam_gelu", OptimizerKind::kAdam, false, Activation::kGelu, 0.01f},
            StepCase{"adamw_relu", OptimizerKind::kAdamW, false, Activation::kRelu, 0.01f},
            StepCase{"sgd_relu_nodropout", OptimizerKind::kSgd, false, Activation::kRelu, 0.1f,
                     0.0f}),
        ::testing::Bool(), ::testing::Bool()),
    [](const auto& info) {
      return std::string(std::get<0>(info.param).name) + (std::get<1>(info.param) ? "_tf32" : "") +
             (std::get<2>(info.param) ? "_epilogues" : "_kernels");
    });

// A model whose every tensor is 16-byte aligned in the flat parameter buffer, so that every
// epilogue can run (the small model's odd widths leave its output layer to the kernels): the
// epilogues' route and the kernels' agree with the CPU backend, with dropout and without. The
// bias-gradient epilogue may have no FP32 algorithm (H200, cuBLAS 13 has none): its kernel then
// stands in, which the comparison covers all the same.
TEST(CudaBackendTest, EveryEpilogueMatchesTheCpuBackend) {
  for (float dropout : {0.0f, 0.25f}) {
    for (bool epilogues : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "dropout " << dropout << " epilogues " << epilogues);
      ModelConfig model = small_model(Activation::kRelu, dropout);
      model.inputs = 32;
      model.hidden = {64, 32};
      model.classes = 8;
      OptimizerConfig optimizer = optimizer_of(OptimizerKind::kAdamW, false);
      CudaOptions options;
      options.epilogues = epilogues;
      MAKE_CUDA_OR_SKIP(gpu, model, optimizer, options);
      std::unique_ptr<Backend> cpu = make_cpu_backend(model, optimizer, 1);
      Dataset train = testing::random_dataset(150, model.inputs, model.classes, 6);
      Tensors start = initial_parameters(model, 4);
      for (Backend* backend : {static_cast<Backend*>(gpu.get()), cpu.get()}) {
        backend->set_data(train, train, train);
        backend->set_parameters(start);
      }
      std::atomic<bool> stop{false};
      for (int epoch = 0; epoch < 2; ++epoch) {
        Plan p = make_plan(train.rows, epoch, 0.01f);
        double on_gpu = gpu->train_epoch(p.plan, stop).mean_loss;
        double on_cpu = cpu->train_epoch(p.plan, stop).mean_loss;
        EXPECT_NEAR(on_gpu, on_cpu, 2e-3 * on_cpu) << epoch;
      }
      // AdamW divides each step by its gradients' own scale, so float32's rounding in small
      // gradients shows more in the parameters than in the loss (both routes measure 2.6e-3).
      expect_close(gpu->parameters(), cpu->parameters(), start, 5e-3);
      Evaluation on_gpu = gpu->evaluate(Split::kTest, 16);
      Evaluation on_cpu = cpu->evaluate(Split::kTest, 16);
      EXPECT_NEAR(on_gpu.mean_loss, on_cpu.mean_loss, 2e-3 * on_cpu.mean_loss);
      EpiloguesUsed used = gpu->epilogues_used();
      EXPECT_EQ(used.bias, epilogues);
      EXPECT_EQ(used.relu_bias, epilogues);
      EXPECT_TRUE(epilogues || !used.bias_gradient);
    }
  }
}

// Many classes (more than a warp's lanes) and a batch larger than the set: one short batch.
TEST(CudaBackendTest, WideOutputAndOneShortBatchMatchTheCpuBackend) {
  ModelConfig model = small_model(Activation::kGelu, 0.0f);
  model.classes = 45;
  OptimizerConfig optimizer = optimizer_of(OptimizerKind::kAdamW, false);
  MAKE_CUDA_OR_SKIP(gpu, model, optimizer, CudaOptions{});
  std::unique_ptr<Backend> cpu = make_cpu_backend(model, optimizer, 1);
  Dataset train = testing::random_dataset(50, model.inputs, model.classes, 4);
  Tensors start = initial_parameters(model, 3);
  for (Backend* backend : {static_cast<Backend*>(gpu.get()), cpu.get()}) {
    backend->set_data(train, train, train);
    backend->set_parameters(start);
  }
  Plan p = make_plan(train.rows, 0, 0.01f);
  p.plan.batch_size = 64;
  p.plan.learning_rates = std::span<const float>(p.rates).first(1);
  std::atomic<bool> stop{false};
  EpochResult on_gpu = gpu->train_epoch(p.plan, stop), on_cpu = cpu->train_epoch(p.plan, stop);
  EXPECT_EQ(on_gpu.batches, 1);
  EXPECT_EQ(on_gpu.samples, 50);
  EXPECT_NEAR(on_gpu.mean_loss, on_cpu.mean_loss, 1e-5 * on_cpu.mean_loss);
  expect_close(gpu->parameters(), cpu->parameters(), start, 2e-3);
}

// Graph replay is an optimisation only: the same numbers as launching every kernel.
TEST(CudaBackendTest, GraphsChangeNoNumber) {
  ModelConfig model = small_model(Activation::kRelu, 0.5f);
  OptimizerConfig optimizer = optimizer_of(OptimizerKind::kAdam, false);
  CudaOptions without;
  without.graphs = false;
  MAKE_CUDA_OR_SKIP(graphs, model, optimizer, CudaOptions{});
  MAKE_CUDA_OR_SKIP(plain, model, optimizer, without);
  Dataset train = testing::random_dataset(150, model.inputs, model.classes, 5);
  Tensors start = initial_parameters(model, 1);
  std::atomic<bool> stop{false};
  std::vector<double> losses[2];
  int i = 0;
  for (CudaBackend* backend : {graphs.get(), plain.get()}) {
    backend->set_data(train, train, train);
    backend->set_parameters(start);
    for (int epoch = 0; epoch < 3; ++epoch) {
      Plan p = make_plan(train.rows, epoch, 0.01f);
      losses[i].push_back(backend->train_epoch(p.plan, stop).mean_loss);
    }
    ++i;
  }
  for (size_t e = 0; e < losses[0].size(); ++e) EXPECT_NEAR(losses[0][e], losses[1][e], 1e-9);
  expect_close(graphs->parameters(), plain->parameters(), start, 1e-6);
}

// set_parameters() starts the optimizer afresh (Adam's step count included), so the same epoch
// from the same parameters gives the same result twice.
TEST(CudaBackendTest, SetParametersResetsTheOptimizer) {
  ModelConfig model = small_model(Activation::kTanh, 0.1f);
  MAKE_CUDA_OR_SKIP(gpu, model, optimizer_of(OptimizerKind::kAdam, false), CudaOptions{});
  Dataset train = testing::random_dataset(100, model.inputs, model.classes, 6);
  gpu->set_data(train, train, train);
  Tensors start = initial_parameters(model, 2);
  std::atomic<bool> stop{false};
  Plan p = make_plan(train.rows, 0, 0.01f);
  gpu->set_parameters(start);
  EpochResult first = gpu->train_epoch(p.plan, stop);
  Tensors after_first = gpu->parameters();
  gpu->set_parameters(start);
  EpochResult second = gpu->train_epoch(p.plan, stop);
  EXPECT_NEAR(first.mean_loss, second.mean_loss, 1e-9);
  expect_close(gpu->parameters(), after_first, start, 1e-6);
}

// A stop asked for before the epoch still trains its first batch, then ends it, as on the CPU.
TEST(CudaBackendTest, StopEndsTheEpochAfterTheBatchInProgress) {
  ModelConfig model = small_model(Activation::kRelu, 0.0f);
  MAKE_CUDA_OR_SKIP(gpu, model, optimizer_of(OptimizerKind::kSgd, false), CudaOptions{});
  Dataset train = testing::random_dataset(150, model.inputs, model.classes, 7);
  gpu->set_data(train, train, train);
  std::atomic<bool> stop{true};
  Plan p = make_plan(train.rows, 0, 0.1f);
  EpochResult result = gpu->train_epoch(p.plan, stop);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.batches, 1);
  EXPECT_EQ(result.samples, 32);
  EXPECT_GT(result.mean_loss, 0.0);
}

// The GEMM timer (benchmarks) sees every GEMM of the epoch and changes no number.
TEST(CudaBackendTest, TimedGemmsAreCountedAndChangeNoNumber) {
  ModelConfig model = small_model(Activation::kRelu, 0.2f);
  OptimizerConfig optimizer = optimizer_of(OptimizerKind::kSgd, false);
  CudaOptions timed;
  timed.time_gemms = true;
  MAKE_CUDA_OR_SKIP(plain, model, optimizer, CudaOptions{});
  MAKE_CUDA_OR_SKIP(timing, model, optimizer, timed);
  Dataset train = testing::random_dataset(150, model.inputs, model.classes, 8);
  std::atomic<bool> stop{false};
  Plan p = make_plan(train.rows, 0, 0.1f);
  double losses[2];
  int i = 0;
  for (CudaBackend* backend : {plain.get(), timing.get()}) {
    backend->set_data(train, train, train);
    losses[i++] = backend->train_epoch(p.plan, stop).mean_loss;
  }
  EXPECT_NEAR(losses[0], losses[1], 1e-9);
  EXPECT_EQ(plain->last_epoch_gemm_ms(), 0.0);
  EXPECT_GT(timing->last_epoch_gemm_ms(), 0.0);
  expect_close(timing->parameters(), plain->parameters(), initial_parameters(model, 0), 1e-6);
}

}  // namespace
}  // namespace labsweep::trainer
