#include "tests/trainer/reference_mlp.h"

#include <algorithm>
#include <cmath>

#include "trainer/counter_rng.h"

namespace labsweep::trainer::testing {
namespace {

using Matrix = std::vector<double>;  // row-major

// y = x w^T + b for x (rows x in), w (out x in).
Matrix affine(const Matrix& x, const std::vector<double>& w, const std::vector<double>& b, int rows,
              int in, int out) {
  Matrix y(static_cast<size_t>(rows) * out);
  for (int r = 0; r < rows; ++r) {
    for (int o = 0; o < out; ++o) {
      double sum = b[o];
      for (int i = 0; i < in; ++i) sum += x[r * in + i] * w[o * in + i];
      y[r * out + o] = sum;
    }
  }
  return y;
}

}  // namespace

Tensors to_double(const std::vector<std::vector<float>>& tensors) {
  Tensors result;
  for (const auto& t : tensors) result.emplace_back(t.begin(), t.end());
  return result;
}

double reference_activate(Activation activation, double x) {
  switch (activation) {
    case Activation::kRelu:
      return x > 0 ? x : 0;
    case Activation::kTanh:
      return std::tanh(x);
    case Activation::kGelu:
      return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  }
  return x;
}

double reference_derivative(Activation activation, double x) {
  switch (activation) {
    case Activation::kRelu:
      return x > 0 ? 1 : 0;
    case Activation::kTanh:
      return 1 - std::tanh(x) * std::tanh(x);
    case Activation::kGelu:
      return 0.5 * (1 + std::erf(x / std::sqrt(2.0))) +
             x * std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
  }
  return 1;
}

Tensors reference_dropout_masks(const ModelConfig& model, uint64_t seed, int epoch, int batch,
                                int rows) {
  Tensors masks;
  if (model.dropout <= 0) return masks;
  for (size_t l = 0; l < model.hidden.size(); ++l) {
    int width = model.hidden[l];
    std::vector<double> mask(static_cast<size_t>(rows) * width);
    for (size_t i = 0; i < mask.size(); ++i) {
      float u = counter_uniform(seed, dropout_stream(epoch, batch, l), i);
      mask[i] = u < model.dropout ? 0.0 : 1.0 / (1.0 - double{model.dropout});
    }
    masks.push_back(std::move(mask));
  }
  return masks;
}

namespace {

// The forward pass: inputs[l] feeds layer l, pre[l] is its affine output (the logits last).
struct Pass {
  std::vector<Matrix> inputs, pre;
};

Pass forward(const ModelConfig& model, const Tensors& parameters, const Matrix& x, int rows,
             const Tensors& keep) {
  Pass pass{{x}, {}};
  for (int l = 0; l < model.layers(); ++l) {
    int in = model.layer_inputs(l), out = model.layer_outputs(l);
    pass.pre.push_back(
        affine(pass.inputs[l], parameters[2 * l], parameters[2 * l + 1], rows, in, out));
    if (l == model.layers() - 1) break;
    Matrix a(pass.pre[l].size());
    for (size_t i = 0; i < a.size(); ++i) {
      a[i] =
          reference_activate(model.activation, pass.pre[l][i]) * (keep.empty() ? 1.0 : keep[l][i]);
    }
    pass.inputs.push_back(std::move(a));
  }
  return pass;
}

// The mean cross-entropy of the logits, and its gradient for them in `grad`.
double cross_entropy(const Matrix& logits, const std::vector<int32_t>& y, int rows, int classes,
                     Matrix& grad) {
  double loss = 0;
  grad.assign(static_cast<size_t>(rows) * classes, 0.0);
  for (int r = 0; r < rows; ++r) {
    const double* row = &logits[r * classes];
    double max = row[0], sum = 0;
    for (int c = 1; c < classes; ++c) max = std::max(max, row[c]);
    for (int c = 0; c < classes; ++c) sum += std::exp(row[c] - max);
    loss += (std::log(sum) + max - row[y[r]]) / rows;
    for (int c = 0; c < classes; ++c) {
      grad[r * classes + c] = (std::exp(row[c] - max) / sum - (c == y[r] ? 1 : 0)) / rows;
    }
  }
  return loss;
}

// The chain rule from d loss / d logits (`grad`) down to every parameter.
void backward(const ModelConfig& model, const Tensors& parameters, const Pass& pass, int rows,
              const Tensors& keep, Matrix grad, Tensors& gradients) {
  gradients.assign(parameters.size(), {});
  for (int l = model.layers() - 1; l >= 0; --l) {
    int in = model.layer_inputs(l), out = model.layer_outputs(l);
    std::vector<double> dw(static_cast<size_t>(out) * in, 0.0), db(out, 0.0);
    Matrix dx(static_cast<size_t>(rows) * in, 0.0);
    for (int r = 0; r < rows; ++r) {
      for (int o = 0; o < out; ++o) {
        double g = grad[r * out + o];
        db[o] += g;
        for (int i = 0; i < in; ++i) {
          dw[o * in + i] += g * pass.inputs[l][r * in + i];
          dx[r * in + i] += g * parameters[2 * l][o * in + i];
        }
      }
    }
    gradients[2 * l] = std::move(dw);
    gradients[2 * l + 1] = std::move(db);
    if (l == 0) break;
    for (size_t i = 0; i < dx.size(); ++i) {
      dx[i] *= reference_derivative(model.activation, pass.pre[l - 1][i]) *
               (keep.empty() ? 1.0 : keep[l - 1][i]);
    }
    grad = std::move(dx);
  }
}

}  // namespace

double reference_loss(const ModelConfig& model, const Tensors& parameters, const Matrix& x,
                      const std::vector<int32_t>& y, int rows, const Tensors& keep,
                      Tensors* gradients) {
  Pass pass = forward(model, parameters, x, rows, keep);
  Matrix grad;
  double loss = cross_entropy(pass.pre.back(), y, rows, model.classes, grad);
  if (gradients != nullptr)
    backward(model, parameters, pass, rows, keep, std::move(grad), *gradients);
  return loss;
}

ReferenceOptimizer::ReferenceOptimizer(const OptimizerConfig& config, const Tensors& like)
    : config_(config) {
  for (const auto& t : like) {
    first_.emplace_back(t.size(), 0.0);
    second_.emplace_back(t.size(), 0.0);
  }
}

void ReferenceOptimizer::step(double lr, Tensors& parameters, const Tensors& gradients) {
  ++steps_;
  const double wd = config_.weight_decay, mu = config_.momentum;
  const double b1 = config_.beta1, b2 = config_.beta2, eps = config_.eps;
  for (size_t t = 0; t < parameters.size(); ++t) {
    for (size_t i = 0; i < parameters[t].size(); ++i) {
      double& p = parameters[t][i];
      double g = gradients[t][i];
      if (config_.kind == OptimizerKind::kSgd) {
        g += wd * p;
        if (mu != 0) {
          first_[t][i] = mu * first_[t][i] + g;
          g = config_.nesterov ? g + mu * first_[t][i] : first_[t][i];
        }
        p -= lr * g;
        continue;
      }
      if (config_.kind == OptimizerKind::kAdamW) p *= 1 - lr * wd;
      if (config_.kind == OptimizerKind::kAdam) g += wd * p;
      first_[t][i] = b1 * first_[t][i] + (1 - b1) * g;
      second_[t][i] = b2 * second_[t][i] + (1 - b2) * g * g;
      double m_hat = first_[t][i] / (1 - std::pow(b1, steps_));
      double v_hat = second_[t][i] / (1 - std::pow(b2, steps_));
      p -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
  }
}

}  // namespace labsweep::trainer::testing
