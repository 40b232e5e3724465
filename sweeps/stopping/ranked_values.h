#pragma once

// A growing multiset of values that answers "the k-th smallest" in O(log n) while k moves
// slowly, as it does for a quantile of a set that only grows: the set is kept split in two
// around rank k, and each query moves only the few elements that cross the split.

#include <cstddef>
#include <set>

namespace labsweep::sweeps {

class RankedValues {
 public:
  void insert(double value);
  size_t size() const { return low_.size() + high_.size(); }

  // The k-th smallest value, 0-based. Precondition: k < size().
  double kth(size_t k);

  // The median: the middle value, or the mean of the two middle ones. Precondition: size() > 0.
  double median();

 private:
  void split_at(size_t low_size);

  std::multiset<double> low_;   // the smallest values, up to the current split
  std::multiset<double> high_;  // every value not smaller than low_'s largest
};

}  // namespace labsweep::sweeps
