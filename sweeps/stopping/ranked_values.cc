#include "sweeps/stopping/ranked_values.h"

#include <iterator>

namespace labsweep::sweeps {

void RankedValues::insert(double value) {
  if (!low_.empty() && value < *low_.rbegin()) {
    low_.insert(value);
  } else {
    high_.insert(value);
  }
}

void RankedValues::split_at(size_t low_size) {
  while (low_.size() > low_size) {
    high_.insert(low_.extract(std::prev(low_.end())));
  }
  while (low_.size() < low_size) {
    low_.insert(high_.extract(high_.begin()));
  }
}

double RankedValues::kth(size_t k) {
  split_at(k + 1);
  return *low_.rbegin();
}

double RankedValues::median() {
  size_t n = size();
  if (n % 2 == 1) return kth(n / 2);
  double lower = kth(n / 2 - 1);
  double upper = *high_.begin();
  // Halfway without overflowing for values near the largest double.
  return lower + (upper - lower) / 2;
}

}  // namespace labsweep::sweeps
