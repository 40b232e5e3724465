#pragma once

// A request's query parameters, read strictly (docs/http-api.md "Conventions"): every name must
// be one the endpoint knows and appear at most once, and values are checked where they are
// read, with errors that name the parameter.

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace labsweep::orchestrator {

class QueryParams {
 public:
  // Fails (kInvalidArgument) on a name outside `known` or one given twice.
  static Result<QueryParams> read(const std::vector<std::pair<std::string, std::string>>& given,
                                  std::initializer_list<std::string_view> known);

  std::optional<std::string_view> get(std::string_view name) const;

  // An absent parameter is nullopt; a present one must be an integer (any sign with
  // `parse_int64`) within [min, max].
  Result<std::optional<int64_t>> integer(std::string_view name, int64_t min, int64_t max) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace labsweep::orchestrator
