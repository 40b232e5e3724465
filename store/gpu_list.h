#pragma once

// A trial's GPU indices as the JSON array stored in trials.gpus_json ("[0,3]").

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace labsweep::store {

std::string gpus_to_json(std::span<const int> gpus);
// The indices of a JSON array of non-negative integers ("[]", "[0, 3]"); nullopt otherwise.
std::optional<std::vector<int>> gpus_from_json(std::string_view json);

}  // namespace labsweep::store
