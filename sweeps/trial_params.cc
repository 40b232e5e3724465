#include "sweeps/trial_params.h"

namespace labsweep::sweeps {
namespace {

// The map under `key` in `map`, appended when missing. Parameters arrive sorted at every level,
// so a group's entries are contiguous and appending keeps the order sorted.
Map& child_map(Map& map, const std::string& key) {
  if (map.empty() || map.back().first != key) map.emplace_back(key, Value(Map{}));
  return map.back().second.as_map();
}

}  // namespace

Value nest_parameters(const std::vector<Parameter>& parameters, const std::vector<Value>& values) {
  Map root;
  for (size_t i = 0; i < parameters.size() && i < values.size(); ++i) {
    const std::vector<std::string>& path = parameters[i].path;
    Map* level = &root;
    for (size_t depth = 0; depth + 1 < path.size(); ++depth)
      level = &child_map(*level, path[depth]);
    level->emplace_back(path.back(), values[i]);
  }
  return Value(std::move(root));
}

}  // namespace labsweep::sweeps
