#include "trainer/training_loop.h"

#include <chrono>
#include <numeric>

#include "trainer/counter_rng.h"
#include "trainer/learning_rate_schedule.h"

namespace labsweep::trainer {
namespace {

// Shuffle streams are apart from the dropout streams (bit 63 set) and the initial-value streams
// (small numbers).
uint64_t shuffle_stream(int epoch) { return (uint64_t{1} << 62) | static_cast<uint64_t>(epoch); }

double seconds(Clock::TimePoint from, Clock::TimePoint to) {
  return std::chrono::duration<double>(to - from).count();
}

constexpr int kEvaluationBatch = 1024;

EpochReport train_one_epoch(Backend& backend, const SplitData& data, const TrainFlags& flags,
                            const LearningRateSchedule& schedule, int epoch,
                            const std::atomic<bool>& stop, const Clock& clock) {
  std::vector<int32_t> order = epoch_order(data.train.rows, flags.seed, epoch);
  std::vector<float> rates = schedule.epoch_rates(epoch);
  EpochPlan plan;
  plan.epoch = epoch;
  plan.seed = flags.seed;
  plan.order = order;
  plan.batch_size = flags.batch_size;
  plan.learning_rates = rates;
  Clock::TimePoint start = clock.now();
  EpochResult result = backend.train_epoch(plan, stop);
  EpochReport report;
  report.epoch = epoch + 1;
  report.epoch_time_s = seconds(start, clock.now());
  report.train_loss = result.mean_loss;
  report.samples = result.samples;
  report.samples_per_s =
      report.epoch_time_s > 0 ? static_cast<double>(result.samples) / report.epoch_time_s : 0;
  report.last_lr = result.batches > 0 ? rates[static_cast<size_t>(result.batches - 1)] : 0;
  if (!result.stopped) report.validation = backend.evaluate(Split::kValidation, kEvaluationBatch);
  return report;
}

}  // namespace

int batches_per_epoch(int rows, int batch_size) { return (rows + batch_size - 1) / batch_size; }

std::vector<int32_t> epoch_order(int rows, uint64_t seed, int epoch) {
  std::vector<int32_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0);
  uint64_t stream = shuffle_stream(epoch);
  for (int i = rows - 1; i > 0; --i) {
    uint64_t j =
        counter_bits(seed, stream, static_cast<uint64_t>(i)) % static_cast<uint64_t>(i + 1);
    std::swap(order[static_cast<size_t>(i)], order[j]);
  }
  return order;
}

FinalReport run_training(Backend& backend, const SplitData& data, const TrainFlags& flags,
                         const std::atomic<bool>& stop, const Clock& clock,
                         TrainingObserver& observer) {
  backend.set_data(data.train, data.validation, data.test);
  backend.set_parameters(initial_parameters(flags.model, flags.seed));
  LearningRateSchedule schedule(flags.schedule,
                                batches_per_epoch(data.train.rows, flags.batch_size), flags.epochs);
  FinalReport final_report;
  for (int epoch = 0; epoch < flags.epochs; ++epoch) {
    if (stop.load()) {
      final_report.stopped = true;
      break;
    }
    EpochReport report = train_one_epoch(backend, data, flags, schedule, epoch, stop, clock);
    if (report.samples > 0 || report.validation) observer.on_epoch(report);
    if (!report.validation) {
      final_report.stopped = true;
      break;
    }
    final_report.epochs_completed = epoch + 1;
  }
  if (!final_report.stopped) final_report.test = backend.evaluate(Split::kTest, kEvaluationBatch);
  observer.on_finish(final_report);
  return final_report;
}

}  // namespace labsweep::trainer
