#include "trainer/learning_rate_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace labsweep::trainer {

LearningRateSchedule::LearningRateSchedule(const ScheduleConfig& config, int batches_per_epoch,
                                           int epochs)
    : config_(config),
      batches_per_epoch_(std::max(1, batches_per_epoch)),
      total_steps_(static_cast<long>(batches_per_epoch_) * std::max(1, epochs)),
      warmup_steps_(std::lround(config.warmup_epochs * batches_per_epoch_)) {
  warmup_steps_ = std::clamp(warmup_steps_, 0L, total_steps_);
}

float LearningRateSchedule::at(int epoch, int batch) const {
  long step = static_cast<long>(epoch) * batches_per_epoch_ + batch;
  double lr = config_.lr;
  switch (config_.kind) {
    case ScheduleKind::kConstant:
      break;
    case ScheduleKind::kStep:
      // PyTorch's StepLR, stepped once per epoch.
      lr *= std::pow(static_cast<double>(config_.gamma), epoch / std::max(1, config_.step_size));
      break;
    case ScheduleKind::kCosine: {
      // Cosine annealing to zero over the batches after the warm-up (CosineAnnealingLR with
      // eta_min = 0, stepped per batch), so that the last batch trains at a small rate.
      long span = std::max(1L, total_steps_ - warmup_steps_);
      double t = std::clamp(static_cast<double>(step - warmup_steps_) / span, 0.0, 1.0);
      lr *= 0.5 * (1.0 + std::cos(std::numbers::pi * t));
      break;
    }
  }
  if (step < warmup_steps_) lr *= static_cast<double>(step + 1) / warmup_steps_;
  return static_cast<float>(lr);
}

std::vector<float> LearningRateSchedule::epoch_rates(int epoch) const {
  std::vector<float> rates(static_cast<size_t>(batches_per_epoch_));
  for (int b = 0; b < batches_per_epoch_; ++b) rates[static_cast<size_t>(b)] = at(epoch, b);
  return rates;
}

}  // namespace labsweep::trainer
