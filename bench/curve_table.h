#pragma once

// A table of recorded learning curves (bench/data/*.csv, docs/benchmarks.md "bench-curves"):
// for every configuration of a discrete space, the validation metrics after each epoch, the
// epoch's training time, and the test accuracy after the last epoch. bench-curves replays
// sweeps over it; a suggestion's values select the configuration whose curve it "trains".

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace labsweep::bench {

struct EpochRecord {
  double val_accuracy = 0;
  double val_loss = 0;
  double epoch_time_s = 0;  // the training pass's duration, in seconds
};

struct RecordedConfig {
  std::vector<double> values;         // one per axis, in the table's column order
  std::vector<EpochRecord> epochs{};  // epochs[e - 1] is epoch e
  double test_accuracy = 0;           // after the last epoch
};

class CurveTable {
 public:
  // Reads the CSV: a header whose columns before `epoch` are the configuration's axes (numbers),
  // then `epoch`, `val_accuracy`, `val_loss`, `epoch_time_s` and `test_accuracy` in any order.
  // Every configuration must have the rows of epochs 1..E, E the same for all, and its test
  // accuracy on the row of epoch E (other rows may leave it empty). Errors name the line.
  static Result<CurveTable> parse(std::string_view csv);
  static Result<CurveTable> load(const std::string& path);

  const std::vector<std::string>& axes() const { return axes_; }
  const std::vector<RecordedConfig>& configs() const { return configs_; }
  int epochs() const { return epochs_; }

  // The configuration with exactly these values (one per axis), or not_found.
  Result<size_t> find(const std::vector<double>& values) const;

 private:
  std::vector<std::string> axes_;
  std::vector<RecordedConfig> configs_;
  std::map<std::vector<double>, size_t> index_;
  int epochs_ = 0;
};

}  // namespace labsweep::bench
