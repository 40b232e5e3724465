#pragma once

// The three sets a run uses: training and validation cut from the training file, and the test
// file, all normalised with the training rows' statistics (nothing of the validation or test
// rows leaks into training).

#include <cstdint>

#include "base/status.h"
#include "trainer/dataset.h"

namespace labsweep::trainer {

struct SplitData {
  Dataset train;
  Dataset validation;
  Dataset test;
  float mean = 0;   // subtracted from every feature
  float scale = 1;  // then multiplied by this (1 / standard deviation)
};

// Holds out `validation_fraction` (0 < f < 1) of `full_train` as the validation set. The rows
// held out are the same for every seed (a fixed shuffle), so that the validation metrics of a
// sweep's trials compare. `limit_train` > 0 keeps at most that many training rows. Errors when
// either part would be empty or the sets disagree in shape.
Result<SplitData> split_and_normalise(Dataset full_train, Dataset test, double validation_fraction,
                                      int64_t limit_train);

// Takes `rows` (indices into `from`) into a new set, in that order.
Dataset take_rows(const Dataset& from, const std::vector<int32_t>& rows);

}  // namespace labsweep::trainer
