#include "trainer/cpu_loss.h"

#include <cmath>

namespace labsweep::trainer::cpu {
namespace {

struct RowStats {
  float max;
  int argmax;  // the first of equal maxima, as torch.argmax
  float sum_exp;
};

RowStats row_stats(const float* __restrict row, int classes) {
  RowStats stats{row[0], 0, 0.0f};
  for (int c = 1; c < classes; ++c) {
    if (row[c] > stats.max) {
      stats.max = row[c];
      stats.argmax = c;
    }
  }
  for (int c = 0; c < classes; ++c) stats.sum_exp += std::exp(row[c] - stats.max);
  return stats;
}

}  // namespace

double softmax_cross_entropy(const float* logits, const int32_t* labels, int rows, int classes,
                             float grad_scale, float* dlogits) {
  double loss_sum = 0;
  for (int r = 0; r < rows; ++r) {
    const float* __restrict row = logits + static_cast<int64_t>(r) * classes;
    float* __restrict grad = dlogits + static_cast<int64_t>(r) * classes;
    RowStats stats = row_stats(row, classes);
    int32_t label = labels[r];
    loss_sum += std::log(stats.sum_exp) + stats.max - row[label];
    float scale = grad_scale / stats.sum_exp;
    for (int c = 0; c < classes; ++c) grad[c] = std::exp(row[c] - stats.max) * scale;
    grad[label] -= grad_scale;
  }
  return loss_sum;
}

LossAndHits cross_entropy_hits(const float* logits, const int32_t* labels, int rows, int classes) {
  LossAndHits result;
  for (int r = 0; r < rows; ++r) {
    const float* row = logits + static_cast<int64_t>(r) * classes;
    RowStats stats = row_stats(row, classes);
    result.loss_sum += std::log(stats.sum_exp) + stats.max - row[labels[r]];
    result.hits += stats.argmax == labels[r] ? 1 : 0;
  }
  return result;
}

}  // namespace labsweep::trainer::cpu
