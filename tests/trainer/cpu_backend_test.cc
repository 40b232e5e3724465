#include "trainer/cpu_backend.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <numeric>

#include "tests/trainer/reference_mlp.h"
#include "tests/trainer/tiny_data.h"
#include "trainer/cpu_optimizer.h"

namespace labsweep::trainer {
namespace {

using testing::Tensors;

// Two steps of one scalar parameter p = 1 with gradient 0.5 at lr 0.1, weight decay 0.1,
// PyTorch's default betas and eps; the numbers are worked out by hand from PyTorch's definitions
// (and agree with torch.optim in 1.13).
struct OptimizerCase {
  const char* name;
  OptimizerConfig config;
  double after_one, after_two;
};

void PrintTo(const OptimizerCase& c, std::ostream* os) { *os << c.name; }

class OptimizerSemanticsTest : public ::testing::TestWithParam<OptimizerCase> {};

TEST_P(OptimizerSemanticsTest, TwoStepsMatchPyTorchsDefinitions) {
  const OptimizerCase& c = GetParam();
  cpu::CpuOptimizer optimizer(c.config);
  optimizer.reset({1});
  std::vector<std::vector<float>> p{{1.0f}}, g{{0.5f}};
  optimizer.step(0.1f, p, g);
  EXPECT_NEAR(p[0][0], c.after_one, 1e-6);
  optimizer.step(0.1f, p, g);
  EXPECT_NEAR(p[0][0], c.after_two, 1e-6);
  EXPECT_EQ(optimizer.steps(), 2);
}

OptimizerConfig optimizer(OptimizerKind kind, float momentum, bool nesterov) {
  OptimizerConfig config;
  config.kind = kind;
  config.momentum = momentum;
  config.nesterov = nesterov;
  config.weight_decay = 0.1f;
  return config;
}

INSTANTIATE_TEST_SUITE_P(
    PyTorch, OptimizerSemanticsTest,
    ::testing::Values(
        // g = 0.5 + 0.1 p; p -= 0.1 g: 0.94, then g = 0.594: 0.8806.
        OptimizerCase{"sgd", optimizer(OptimizerKind::kSgd, 0.0f, false), 0.94, 0.8806},
        // v = g = 0.6: 0.94; g = 0.594, v = 0.54 + 0.594 = 1.134: 0.8266.
        OptimizerCase{"momentum", optimizer(OptimizerKind::kSgd, 0.9f, false), 0.94, 0.8266},
        // step g + 0.9 v = 1.14: 0.886; g = 0.5886, v = 1.1286, step 1.60434: 0.725566.
        OptimizerCase{"nesterov", optimizer(OptimizerKind::kSgd, 0.9f, true), 0.886, 0.725566},
        // g = 0.6, m_hat = 0.6, v_hat = 0.36: 0.9; g = 0.59, m_hat = 0.113 / 0.19,
        // v_hat = 0.00070774 / 0.001999: 0.800047.
        OptimizerCase{"adam", optimizer(OptimizerKind::kAdam, 0.9f, false), 0.9, 0.8000473},
        // p = 0.99 first, then minus lr * 0.5 / 0.5: 0.89; p = 0.8811, the same step: 0.7811.
        OptimizerCase{"adamw", optimizer(OptimizerKind::kAdamW, 0.9f, false), 0.89, 0.7811}),
    [](const auto& info) { return std::string(info.param.name); });

// A whole epoch of the CPU backend (forward, backward, update; dropout and weight decay on)
// against the float64 reference, step by step, for every optimizer.
class ReferenceStepTest : public ::testing::TestWithParam<OptimizerCase> {};

double relative_error(const std::vector<float>& actual, const std::vector<double>& expected,
                      const std::vector<float>& start) {
  double diff = 0, moved = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    diff = std::max(diff, std::abs(actual[i] - expected[i]));
    moved = std::max(moved, std::abs(expected[i] - start[i]));
  }
  return diff / moved;  // relative to how far the step moved the tensor
}

TEST_P(ReferenceStepTest, TwoEpochsMatchTheFloat64Reference) {
  ModelConfig model{6, {8, 5}, 4, Activation::kGelu, 0.2f};
  OptimizerConfig config = GetParam().config;
  config.weight_decay = 0.05f;
  constexpr int kRows = 10, kBatch = 4;  // batches of 4, 4 and 2
  Dataset data = testing::random_dataset(kRows, model.inputs, model.classes, 21);
  auto start = initial_parameters(model, 5);
  auto backend = make_cpu_backend(model, config, 2);
  backend->set_parameters(start);
  backend->set_data(data, data, data);

  Tensors params = testing::to_double(start);
  testing::ReferenceOptimizer reference(config, params);
  std::vector<int32_t> order{3, 1, 4, 0, 9, 2, 6, 5, 8, 7};
  std::vector<float> lrs{0.05f, 0.03f, 0.02f};
  std::atomic<bool> stop{false};
  for (int epoch = 0; epoch < 2; ++epoch) {
    EpochResult result = backend->train_epoch({epoch, 77, order, kBatch, false, lrs}, stop);
    ASSERT_EQ(result.batches, 3);
    ASSERT_EQ(result.samples, kRows);
    double loss_sum = 0;
    for (int b = 0; b < 3; ++b) {
      int rows = std::min(kBatch, kRows - b * kBatch);
      std::vector<double> x;
      std::vector<int32_t> y;
      for (int r = 0; r < rows; ++r) {
        int row = order[b * kBatch + r];
        x.insert(x.end(), data.x.begin() + row * model.inputs,
                 data.x.begin() + (row + 1) * model.inputs);
        y.push_back(data.y[row]);
      }
      Tensors keep = testing::reference_dropout_masks(model, 77, epoch, b, rows);
      Tensors grads;
      loss_sum += rows * testing::reference_loss(model, params, x, y, rows, keep, &grads);
      reference.step(lrs[b], params, grads);
    }
    EXPECT_NEAR(result.mean_loss, loss_sum / kRows, 1e-5);
  }
  auto actual = backend->parameters();
  for (size_t t = 0; t < actual.size(); ++t) {
    EXPECT_LT(relative_error(actual[t], params[t], start[t]), 1e-4) << "tensor " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryOptimizer, ReferenceStepTest,
    ::testing::Values(OptimizerCase{"sgd", optimizer(OptimizerKind::kSgd, 0.0f, false), 0, 0},
                      OptimizerCase{"momentum", optimizer(OptimizerKind::kSgd, 0.9f, false), 0, 0},
                      OptimizerCase{"nesterov", optimizer(OptimizerKind::kSgd, 0.9f, true), 0, 0},
                      OptimizerCase{"adam", optimizer(OptimizerKind::kAdam, 0.9f, false), 0, 0},
                      OptimizerCase{"adamw", optimizer(OptimizerKind::kAdamW, 0.9f, false), 0, 0}),
    [](const auto& info) { return std::string(info.param.name); });

EpochPlan plan_for(std::span<const int32_t> order, int batch, std::span<const float> lrs) {
  EpochPlan plan;
  plan.order = order;
  plan.batch_size = batch;
  plan.learning_rates = lrs;
  return plan;
}

TEST(CpuBackendTest, AStopFlagSetBeforeTheEpochEndsItAfterOneBatch) {
  ModelConfig model{3, {4}, 2};
  Dataset data = testing::random_dataset(12, 3, 2, 1);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_data(data, data, data);
  std::vector<int32_t> order(12);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> lrs(3, 0.01f);
  std::atomic<bool> stop{true};
  EpochResult result = backend->train_epoch(plan_for(order, 4, lrs), stop);
  EXPECT_EQ(result.batches, 1);
  EXPECT_EQ(result.samples, 4);
  EXPECT_TRUE(result.stopped);
  stop = false;
  result = backend->train_epoch(plan_for(order, 4, lrs), stop);
  EXPECT_EQ(result.batches, 3);
  EXPECT_EQ(result.samples, 12);
  EXPECT_FALSE(result.stopped);
}

TEST(CpuBackendTest, DropLastSkipsTheShortBatch) {
  ModelConfig model{3, {4}, 2};
  Dataset data = testing::random_dataset(10, 3, 2, 1);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_data(data, data, data);
  std::vector<int32_t> order(10);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> lrs(2, 0.01f);
  EpochPlan plan = plan_for(order, 4, lrs);
  plan.drop_last = true;
  std::atomic<bool> stop{false};
  EpochResult result = backend->train_epoch(plan, stop);
  EXPECT_EQ(result.batches, 2);
  EXPECT_EQ(result.samples, 8);
}

// A linear model (no hidden layer) with identity weights: the logits are the inputs.
TEST(CpuBackendTest, EvaluateCountsHitsAndAveragesTheLossOverTheSet) {
  ModelConfig model{2, {}, 2};
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_parameters({{1, 0, 0, 1}, {0, 0}});
  // Logits (2, 0) for label 0: a hit; (0, 1) for label 0: a miss; (1, 1) for label 1: a tie,
  // which goes to the first class, so a miss.
  Dataset test{3, 2, 2, {2, 0, 0, 1, 1, 1}, {0, 0, 1}};
  Dataset none{0, 2, 2, {}, {}};
  backend->set_data(none, none, test);
  Evaluation eval = backend->evaluate(Split::kTest, 2);  // batches of 2 and 1
  EXPECT_EQ(eval.rows, 3);
  EXPECT_DOUBLE_EQ(eval.accuracy, 1.0 / 3.0);
  double expected = (std::log1p(std::exp(-2.0)) + std::log1p(std::exp(1.0)) + std::log(2.0)) / 3;
  EXPECT_NEAR(eval.mean_loss, expected, 1e-6);
  Evaluation empty = backend->evaluate(Split::kValidation, 2);
  EXPECT_EQ(empty.rows, 0);
  EXPECT_EQ(empty.accuracy, 0.0);
}

TEST(CpuBackendTest, EvaluateUsesNoDropout) {
  ModelConfig model{5, {7, 6}, 3, Activation::kRelu, 0.5f};
  Dataset data = testing::random_dataset(9, 5, 3, 8);
  auto start = initial_parameters(model, 2);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_parameters(start);
  backend->set_data(data, data, data);
  std::vector<double> x(data.x.begin(), data.x.end());
  double expected =
      testing::reference_loss(model, testing::to_double(start), x, data.y, 9, {}, nullptr);
  EXPECT_NEAR(backend->evaluate(Split::kTrain, 4).mean_loss, expected, 1e-6);
  EXPECT_NEAR(backend->evaluate(Split::kTrain, 9).mean_loss, expected, 1e-6);
}

TEST(CpuBackendDeathTest, ABrokenCallerIsACrashWithAMessage) {
  // OpenBLAS's threads are running by now: the child re-executes the test instead of forking.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  ModelConfig model{3, {4}, 2};
  Dataset data = testing::random_dataset(8, 3, 2, 1);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_data(data, data, data);
  EXPECT_DEATH(backend->set_parameters({{1.0f}}), "a weight and a bias per layer expected");
  EXPECT_DEATH(backend->set_parameters({{1.0f}, {1.0f}, {1.0f}, {1.0f}}),
               "a tensor's size does not match the model");
  std::vector<int32_t> order{0, 1, 2, 3, 4, 5, 6, 7}, outside{0, 8};
  std::vector<float> one_rate{0.01f};
  std::atomic<bool> stop{false};
  EXPECT_DEATH(backend->train_epoch(plan_for(order, 4, one_rate), stop),
               "one learning rate per batch");
  EXPECT_DEATH(backend->train_epoch(plan_for(outside, 4, one_rate), stop),
               "outside the training set");
  Dataset wide = testing::random_dataset(8, 4, 2, 1), bad_label = data;
  bad_label.y[3] = 2;
  EXPECT_DEATH(backend->set_data(data, wide, data), "features differ from the model's inputs");
  EXPECT_DEATH(backend->set_data(data, data, bad_label), "a label is outside the model's classes");
}

TEST(CpuBackendTest, SettingParametersResetsTheOptimizer) {
  ModelConfig model{5, {6}, 3};
  Dataset data = testing::random_dataset(16, 5, 3, 4);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 2);  // AdamW: moments and a step count
  backend->set_data(data, data, data);
  std::vector<int32_t> order(16);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> lrs(4, 0.01f);
  std::atomic<bool> stop{false};
  auto start = initial_parameters(model, 9);
  backend->set_parameters(start);
  backend->train_epoch(plan_for(order, 4, lrs), stop);
  auto first = backend->parameters();
  backend->set_parameters(start);
  backend->train_epoch(plan_for(order, 4, lrs), stop);
  EXPECT_EQ(backend->parameters(), first);
  EXPECT_NE(first, start);
}

TEST(CpuBackendTest, LearnsASeparableProblem) {
  ModelConfig model{4, {16}, 2, Activation::kTanh, 0.1f};
  Dataset train = testing::separable_dataset(64, 4, 2), test = testing::separable_dataset(32, 4, 3);
  auto backend = make_cpu_backend(model, OptimizerConfig{}, 1);
  backend->set_parameters(initial_parameters(model, 1));
  backend->set_data(train, test, test);
  double before = backend->evaluate(Split::kTrain, 64).mean_loss;
  std::vector<int32_t> order(64);
  std::iota(order.begin(), order.end(), 0);
  std::vector<float> lrs(8, 0.02f);
  std::atomic<bool> stop{false};
  for (int epoch = 0; epoch < 60; ++epoch) {
    EpochPlan plan = plan_for(order, 8, lrs);
    plan.epoch = epoch;
    backend->train_epoch(plan, stop);
  }
  Evaluation after = backend->evaluate(Split::kTrain, 64);
  EXPECT_LT(after.mean_loss, before / 4);
  EXPECT_EQ(after.accuracy, 1.0);
  EXPECT_GE(backend->evaluate(Split::kTest, 10).accuracy, 0.95);
}

TEST(CpuBackendTest, DescribesItself) {
  EXPECT_EQ(make_cpu_backend(ModelConfig{}, OptimizerConfig{}, 2)->description(),
            "cpu (OpenBLAS, 2 threads)");
  EXPECT_EQ(make_cpu_backend(ModelConfig{}, OptimizerConfig{}, 1)->description(),
            "cpu (OpenBLAS, 1 thread)");
}

}  // namespace
}  // namespace labsweep::trainer
