#pragma once

// The run reported to labsweep through the trial socket (docs/trial-interface.md): per epoch,
// step = epoch (from 1), train_loss, val_loss, val_accuracy, epoch_time_s, samples_per_s; at the
// end, step = the last epoch, test_loss and test_accuracy. After each epoch it asks for the
// early-stopping decision on that step and sets the stop flag on "stop", so that a sweep's rule
// ends the run whether it arrives as a decision or as a stop notice. Outside labsweep it reports
// nothing and never stops.

#include <atomic>

#include "clients/cpp/labsweep.hpp"
#include "trainer/training_loop.h"

namespace labsweep::trainer {

class TrialReporter final : public TrainingObserver {
 public:
  // `trial` and `stop` are borrowed and must outlive the reporter.
  TrialReporter(labsweep_client::Trial& trial, std::atomic<bool>& stop)
      : trial_(trial), stop_(stop) {}

  void on_epoch(const EpochReport& report) override;
  void on_finish(const FinalReport& report) override;

 private:
  labsweep_client::Trial& trial_;
  std::atomic<bool>& stop_;
  int last_epoch_ = 0;
};

}  // namespace labsweep::trainer
