#pragma once

// A labelled set of examples held in memory, as every backend takes it.

#include <cstdint>
#include <vector>

namespace labsweep::trainer {

struct Dataset {
  int rows = 0;
  int features = 0;
  int classes = 0;
  std::vector<float> x;    // rows x features, row-major
  std::vector<int32_t> y;  // rows labels, each in [0, classes)

  bool empty() const { return rows == 0; }
};

}  // namespace labsweep::trainer
