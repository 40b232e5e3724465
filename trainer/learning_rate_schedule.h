#pragma once

// The learning rate of every batch: a base rate shaped by a schedule (constant, step or cosine)
// after an optional linear warm-up. Warm-up is counted in epochs (fractions allowed) and applied
// per batch, so that it means the same whatever the batch size.

#include <vector>

namespace labsweep::trainer {

enum class ScheduleKind { kConstant, kStep, kCosine };

struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::kConstant;
  float lr = 1e-3f;
  double warmup_epochs = 0;  // the rate rises linearly from lr / warm-up batches to lr
  int step_size = 10;        // step: the rate is multiplied by gamma every step_size epochs
  float gamma = 0.1f;
};

class LearningRateSchedule {
 public:
  // `batches_per_epoch` >= 1 and `epochs` >= 1.
  LearningRateSchedule(const ScheduleConfig& config, int batches_per_epoch, int epochs);

  // The rate for batch `batch` (from 0) of epoch `epoch` (from 0).
  float at(int epoch, int batch) const;
  // One rate per batch of epoch `epoch`, as EpochPlan takes them.
  std::vector<float> epoch_rates(int epoch) const;

 private:
  ScheduleConfig config_;
  int batches_per_epoch_;
  long total_steps_;
  long warmup_steps_;
};

}  // namespace labsweep::trainer
