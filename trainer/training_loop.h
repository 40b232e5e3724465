#pragma once

// The epochs of a run: each shuffles the training rows from the seed, takes the schedule's
// learning rates, trains one epoch on the backend and evaluates the validation set; the test set
// is evaluated once at the end. What happens is told to a TrainingObserver (the table on the
// terminal, the trial socket under labsweep).

#include <atomic>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "trainer/backend.h"
#include "trainer/data_split.h"
#include "trainer/train_flags.h"

namespace labsweep::trainer {

struct EpochReport {
  int epoch = 0;  // from 1, the step reported to labsweep
  double train_loss = 0;
  int64_t samples = 0;
  double epoch_time_s = 0;   // the training pass alone, without the validation pass
  double samples_per_s = 0;  // samples / epoch_time_s
  float last_lr = 0;
  // Absent for an epoch cut short by a stop: it reports only what it trained.
  std::optional<Evaluation> validation;
};

struct FinalReport {
  int epochs_completed = 0;
  bool stopped = false;            // a stop cut the run short; no test evaluation then
  std::optional<Evaluation> test;  // the test set after the last epoch
};

class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_epoch(const EpochReport& report) = 0;
  virtual void on_finish(const FinalReport& report) = 0;
};

// Trains `backend` (borrowed) on `data` as `flags` say, from initial_parameters(model, seed).
// `stop` is read between batches (by the backend) and between epochs; once it is set the run
// reports the part of the epoch it trained and ends without a test evaluation.
FinalReport run_training(Backend& backend, const SplitData& data, const TrainFlags& flags,
                         const std::atomic<bool>& stop, const Clock& clock,
                         TrainingObserver& observer);

// Epoch `epoch`'s order of `rows` training rows: a permutation drawn from the run's seed.
std::vector<int32_t> epoch_order(int rows, uint64_t seed, int epoch);

// Batches in an epoch of `rows` rows (the last one shorter).
int batches_per_epoch(int rows, int batch_size);

}  // namespace labsweep::trainer
