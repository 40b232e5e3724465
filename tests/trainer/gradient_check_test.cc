// Gradients of the CPU backend's float32 kernels against central finite differences of float64
// forward functions (tests/trainer/reference_mlp.h), layer by layer and for whole networks.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <numeric>

#include "tests/trainer/reference_mlp.h"
#include "tests/trainer/tiny_data.h"
#include "trainer/backend.h"
#include "trainer/counter_rng.h"
#include "trainer/cpu_backend.h"
#include "trainer/cpu_layers.h"
#include "trainer/cpu_loss.h"

namespace labsweep::trainer {
namespace {

using testing::reference_activate;

constexpr double kStep = 1e-5;

// d f / d v[i] by central differences in float64.
double numeric_derivative(std::vector<double>& v, size_t i, const std::function<double()>& f) {
  double saved = v[i];
  v[i] = saved + kStep;
  double up = f();
  v[i] = saved - kStep;
  double down = f();
  v[i] = saved;
  return (up - down) / (2 * kStep);
}

// Values in [-2, 2) away from 0, where ReLU has no derivative.
std::vector<float> values(int n, uint64_t stream) {
  std::vector<float> v;
  for (int i = 0; i < n; ++i) {
    float x = 4.0f * counter_uniform(99, stream, i) - 2.0f;
    v.push_back(std::abs(x) < 0.05f ? x + 0.1f : x);
  }
  return v;
}

void expect_close(double analytic, double numeric, const std::string& what) {
  EXPECT_NEAR(analytic, numeric, 1e-4 + 1e-3 * std::abs(numeric)) << what;
}

class ActivationGradientTest : public ::testing::TestWithParam<Activation> {};

// L = sum of c * a, where a = activation(z + bias) * keep: the fused forward's values and the
// fused backward's dz (and the bias gradient, the column sums of dz) against finite differences.
TEST_P(ActivationGradientTest, BiasActivationAndDropoutMatchFiniteDifferences) {
  const Activation activation = GetParam();
  constexpr int kRows = 3, kWidth = 5, kN = kRows * kWidth;
  std::vector<float> z = values(kN, 1), bias = values(kWidth, 2), c = values(kN, 3);
  for (float& b : bias) b *= 0.01f;  // keep z + b away from ReLU's kink too
  std::vector<float> keep(kN);
  cpu::dropout_mask(5, dropout_stream(0, 0, 0), 0.4f, kRows, kWidth, keep.data());
  std::vector<double> zd(z.begin(), z.end()), bd(bias.begin(), bias.end());
  auto loss = [&] {
    double sum = 0;
    for (int i = 0; i < kN; ++i) {
      sum += c[i] * reference_activate(activation, zd[i] + bd[i % kWidth]) * keep[i];
    }
    return sum;
  };
  std::vector<float> a(kN), dz(kN), dw(kWidth), db(kWidth), ones(kRows, 1.0f);
  cpu::bias_activation_forward(activation, bias.data(), kRows, kWidth, z.data(), keep.data(),
                               a.data());
  for (int i = 0; i < kN; ++i) {
    EXPECT_NEAR(a[i], reference_activate(activation, zd[i] + bd[i % kWidth]) * keep[i], 1e-5);
  }
  cpu::activation_backward(activation, z.data(), keep.data(), c.data(), kN, dz.data());
  // The bias gradient is the column sums of dz: what linear_backward_params returns as db.
  cpu::linear_backward_params(dz.data(), ones.data(), kRows, 1, kWidth, dw.data(), db.data());
  for (int i = 0; i < kN; ++i) {
    expect_close(dz[i], numeric_derivative(zd, i, loss), "dz " + std::to_string(i));
  }
  for (int u = 0; u < kWidth; ++u) {
    expect_close(db[u], numeric_derivative(bd, u, loss), "db " + std::to_string(u));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryActivation, ActivationGradientTest,
                         ::testing::Values(Activation::kRelu, Activation::kGelu, Activation::kTanh),
                         [](const auto& info) { return std::string(to_string(info.param)); });

TEST(DropoutMaskTest, DropsExactlyTheDocumentedDraws) {
  constexpr int kRows = 40, kWidth = 50;
  constexpr float kP = 0.3f;
  std::vector<float> keep(kRows * kWidth);
  const uint64_t stream = dropout_stream(2, 7, 1);
  cpu::dropout_mask(11, stream, kP, kRows, kWidth, keep.data());
  int dropped = 0;
  for (int r = 0; r < kRows; ++r) {
    for (int u = 0; u < kWidth; ++u) {
      bool drop = counter_uniform(11, stream, r * kWidth + u) < kP;
      ASSERT_FLOAT_EQ(keep[r * kWidth + u], drop ? 0.0f : 1.0f / (1.0f - kP));
      dropped += drop;
    }
  }
  EXPECT_NEAR(dropped, kP * kRows * kWidth, 0.05 * kRows * kWidth);
}

// L = sum of c * (x w^T): dw and dx from the GEMM-based backward against finite differences.
TEST(LinearGradientTest, WeightAndInputGradientsMatchFiniteDifferences) {
  constexpr int kRows = 3, kIn = 4, kOut = 2;
  std::vector<float> x = values(kRows * kIn, 4), w = values(kOut * kIn, 5);
  std::vector<float> c = values(kRows * kOut, 6);
  std::vector<double> xd(x.begin(), x.end()), wd(w.begin(), w.end());
  auto loss = [&] {
    double sum = 0;
    for (int r = 0; r < kRows; ++r) {
      for (int o = 0; o < kOut; ++o) {
        double z = 0;
        for (int i = 0; i < kIn; ++i) z += xd[r * kIn + i] * wd[o * kIn + i];
        sum += c[r * kOut + o] * z;
      }
    }
    return sum;
  };
  std::vector<float> z(kRows * kOut), dw(kOut * kIn), db(kOut), dx(kRows * kIn);
  cpu::linear_forward(x.data(), w.data(), kRows, kIn, kOut, z.data());
  double forward = std::inner_product(z.begin(), z.end(), c.begin(), 0.0);
  EXPECT_NEAR(forward, loss(), 1e-5);
  cpu::linear_backward_params(c.data(), x.data(), kRows, kIn, kOut, dw.data(), db.data());
  cpu::linear_backward_input(c.data(), w.data(), kRows, kIn, kOut, dx.data());
  for (int i = 0; i < kOut * kIn; ++i) {
    expect_close(dw[i], numeric_derivative(wd, i, loss), "dw " + std::to_string(i));
  }
  for (int i = 0; i < kRows * kIn; ++i) {
    expect_close(dx[i], numeric_derivative(xd, i, loss), "dx " + std::to_string(i));
  }
}

// The mean cross-entropy of a batch and its gradient for the logits.
TEST(SoftmaxCrossEntropyGradientTest, MatchesFiniteDifferences) {
  constexpr int kRows = 4, kClasses = 5;
  std::vector<float> logits = values(kRows * kClasses, 7);
  logits[3] = 30.0f;  // a large logit: the max subtraction keeps exp() finite
  std::vector<int32_t> labels{0, 3, 4, 3};
  std::vector<double> ld(logits.begin(), logits.end());
  auto loss = [&] {
    double sum = 0;
    for (int r = 0; r < kRows; ++r) {
      double max = ld[r * kClasses], total = 0;
      for (int c = 0; c < kClasses; ++c) max = std::max(max, ld[r * kClasses + c]);
      for (int c = 0; c < kClasses; ++c) total += std::exp(ld[r * kClasses + c] - max);
      sum += std::log(total) + max - ld[r * kClasses + labels[r]];
    }
    return sum / kRows;
  };
  std::vector<float> grad(kRows * kClasses);
  double sum = cpu::softmax_cross_entropy(logits.data(), labels.data(), kRows, kClasses,
                                          1.0f / kRows, grad.data());
  EXPECT_NEAR(sum / kRows, loss(), 1e-5);
  for (int i = 0; i < kRows * kClasses; ++i) {
    expect_close(grad[i], numeric_derivative(ld, i, loss), "dlogits " + std::to_string(i));
  }
  cpu::LossAndHits eval = cpu::cross_entropy_hits(logits.data(), labels.data(), kRows, kClasses);
  EXPECT_NEAR(eval.loss_sum, sum, 1e-9);
}

// The whole network through the backend: one SGD step at lr 1 without momentum or weight decay
// moves every parameter by minus its gradient, which must match finite differences of the
// float64 reference loss under the same dropout masks.
class NetworkGradientTest : public ::testing::TestWithParam<Activation> {};

TEST_P(NetworkGradientTest, EveryParameterMatchesFiniteDifferences) {
  ModelConfig model{4, {5, 3}, 3, GetParam(), 0.25f};
  OptimizerConfig sgd{OptimizerKind::kSgd, 0.0f};
  constexpr int kRows = 6;
  Dataset data = testing::random_dataset(kRows, model.inputs, model.classes, 3);
  auto backend = make_cpu_backend(model, sgd, 1);
  auto before = initial_parameters(model, 17);
  backend->set_parameters(before);
  backend->set_data(data, data, data);
  std::vector<int32_t> order{0, 1, 2, 3, 4, 5};
  std::vector<float> lr{1.0f};
  EpochPlan plan{2, 8, order, kRows, false, lr};
  std::atomic<bool> stop{false};
  EpochResult result = backend->train_epoch(plan, stop);
  auto after = backend->parameters();

  testing::Tensors params = testing::to_double(before);
  testing::Tensors keep = testing::reference_dropout_masks(model, 8, 2, 0, kRows);
  std::vector<double> x(data.x.begin(), data.x.end());
  auto loss = [&] {
    return testing::reference_loss(model, params, x, data.y, kRows, keep, nullptr);
  };
  // The reference's own chain rule, which cpu_backend_test.cc trusts, is checked here too.
  testing::Tensors reference_gradients;
  EXPECT_NEAR(result.mean_loss,
              testing::reference_loss(model, params, x, data.y, kRows, keep, &reference_gradients),
              1e-5);
  for (size_t t = 0; t < params.size(); ++t) {
    for (size_t i = 0; i < params[t].size(); ++i) {
      std::string where = "tensor " + std::to_string(t) + " index " + std::to_string(i);
      double numeric = numeric_derivative(params[t], i, loss);
      expect_close(double{before[t][i]} - double{after[t][i]}, numeric, where);
      EXPECT_NEAR(reference_gradients[t][i], numeric, 1e-7 + 1e-6 * std::abs(numeric)) << where;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryActivation, NetworkGradientTest,
                         ::testing::Values(Activation::kRelu, Activation::kGelu, Activation::kTanh),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace labsweep::trainer
