#pragma once

// Softmax cross-entropy for the CPU backend (cpu_backend.h), fused with its gradient: one pass
// over each row of logits gives the row's loss and d loss / d logits.

#include <cstdint>

namespace labsweep::trainer::cpu {

// For each of `rows` rows of `classes` logits: loss = logsumexp(logits) - logits[label], and
// dlogits = (softmax(logits) - onehot(label)) * grad_scale (1 / rows for a batch mean). Returns
// the sum of the rows' losses, in double so that an epoch's sum stays exact enough.
double softmax_cross_entropy(const float* logits, const int32_t* labels, int rows, int classes,
                             float grad_scale, float* dlogits);

struct LossAndHits {
  double loss_sum = 0;  // sum over rows of the cross-entropy
  int64_t hits = 0;     // rows whose largest logit (the first on ties) is the label's
};

// Cross-entropy and accuracy without a gradient, for evaluation.
LossAndHits cross_entropy_hits(const float* logits, const int32_t* labels, int rows, int classes);

}  // namespace labsweep::trainer::cpu
