#include "orchestrator/query_params.h"

#include <algorithm>

#include "orchestrator/http_request_checks.h"

namespace labsweep::orchestrator {

Result<QueryParams> QueryParams::read(const std::vector<std::pair<std::string, std::string>>& given,
                                      std::initializer_list<std::string_view> known) {
  QueryParams params;
  for (const auto& [name, value] : given) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return invalid_argument("unknown query parameter '" + name + "'");
    }
    if (!params.values_.emplace(name, value).second) {
      return invalid_argument("query parameter '" + name + "' is given more than once");
    }
  }
  return params;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::optional<int64_t>> QueryParams::integer(std::string_view name, int64_t min,
                                                    int64_t max) const {
  std::optional<std::string_view> text = get(name);
  if (!text) return std::optional<int64_t>();
  std::optional<int64_t> value = parse_int64(*text);
  if (!value || *value < min || *value > max) {
    return invalid_argument("query parameter '" + std::string(name) + "' must be an integer from " +
                            std::to_string(min) + " to " + std::to_string(max) + ", not '" +
                            std::string(*text) + "'");
  }
  return value;
}

}  // namespace labsweep::orchestrator
