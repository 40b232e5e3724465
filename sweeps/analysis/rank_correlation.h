#pragma once

// Spearman's rank correlation: how monotonically one quantity follows another, whatever the
// shape of the relation. Pure.

#include <optional>
#include <span>

namespace labsweep::sweeps::analysis {

// The Pearson correlation of the ranks of x and y (tied values share their mean rank), over
// the pairs where both are finite. nullopt with fewer than 3 such pairs or when either side is
// constant over them: no correlation is defined. x and y have the same size.
std::optional<double> spearman_correlation(std::span<const double> x, std::span<const double> y);

}  // namespace labsweep::sweeps::analysis
