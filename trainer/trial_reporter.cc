#include "trainer/trial_reporter.h"

namespace labsweep::trainer {

void TrialReporter::on_epoch(const EpochReport& r) {
  labsweep_client::Report report(r.epoch);
  report.add("train_loss", r.train_loss);
  if (r.validation) {
    report.add("val_loss", r.validation->mean_loss);
    report.add("val_accuracy", r.validation->accuracy);
  }
  report.add("epoch_time_s", r.epoch_time_s);
  report.add("samples_per_s", r.samples_per_s);
  trial_.report(report);
  last_epoch_ = r.epoch;
  // Blocks for one round trip to the agent, which always answers (with "continue" when the
  // orchestrator is out of reach); a partial epoch is already stopping.
  if (r.validation && trial_.in_labsweep() &&
      trial_.should_stop(labsweep_client::Wait::kForDecision)) {
    stop_.store(true);
  }
}

void TrialReporter::on_finish(const FinalReport& r) {
  if (!r.test) return;
  labsweep_client::Report report(last_epoch_);
  report.add("test_loss", r.test->mean_loss);
  report.add("test_accuracy", r.test->accuracy);
  trial_.report(report);
}

}  // namespace labsweep::trainer
