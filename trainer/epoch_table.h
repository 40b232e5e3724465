#pragma once

// The run as a table on the terminal: a row per epoch, the test result at the end.

#include <ostream>

#include "trainer/training_loop.h"

namespace labsweep::trainer {

class EpochTable final : public TrainingObserver {
 public:
  // `out` is borrowed and must outlive the table.
  explicit EpochTable(std::ostream& out) : out_(out) {}

  void on_epoch(const EpochReport& report) override;
  void on_finish(const FinalReport& report) override;

 private:
  std::ostream& out_;
  bool header_written_ = false;
};

}  // namespace labsweep::trainer
