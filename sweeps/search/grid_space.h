#pragma once

// The grid of a grid search (reference §3), never materialised: each parameter is an axis,
// either a deduplicated list of values or an arithmetic progression (int_uniform's range,
// q_uniform's numpy.arange), and point k is computed from k alone, the last parameter varying
// fastest. A grid of 10^12 points costs the memory of its value lists.

#include <cstdint>
#include <vector>

#include "sweeps/diagnostic.h"
#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// Adds an error for every parameter grid search cannot enumerate, and for a grid whose size
// does not fit in 63 bits.
void check_grid_parameters(const std::vector<Parameter>& parameters, Diagnostics& diagnostics);

class GridSpace {
 public:
  // Precondition: check_grid_parameters reported no error for `parameters`.
  explicit GridSpace(const std::vector<Parameter>& parameters);

  uint64_t size() const { return size_; }
  size_t parameter_count() const { return axes_.size(); }
  // The number of distinct values of parameter i (1 for a constant).
  uint64_t axis_size(size_t i) const { return axes_[i].count; }

  // The values of point k < size(), one per parameter in the order given to the constructor.
  // `out` is resized and reused, so that enumerating a grid allocates nothing per point.
  void point(uint64_t k, std::vector<Value>& out) const;
  std::vector<Value> point(uint64_t k) const;

 private:
  enum class AxisKind { kList, kIntRange, kFloatRange };
  struct Axis {
    AxisKind kind = AxisKind::kList;
    uint64_t count = 0;
    List values;            // kList: deduplicated, first place, last written value
    int64_t int_start = 0;  // kIntRange: int_start + i * int_step
    int64_t int_step = 1;
    double start = 0;       // kFloatRange: numpy's fill, start + i * delta
    double first_step = 0;  // the exact second value, start + q
    double delta = 0;
    uint64_t stride = 1;  // points between two consecutive values of this axis
  };

  static Axis make_axis(const Parameter& p);
  static Value range_value(const Axis& axis, uint64_t i);

  std::vector<Axis> axes_;
  uint64_t size_ = 1;
};

// W&B's grid deduplication (reference §3.5): the values of `values` that are distinct under its
// yaml_hash identity, each at the place of its first occurrence holding its last occurrence.
List deduplicate_grid_values(const List& values);

}  // namespace labsweep::sweeps
