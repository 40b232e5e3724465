#pragma once

// How the CLI prints what the HTTP API returns (docs/http-api.md): metric values, times,
// durations and parameters, in a few characters each.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace labsweep::cli {

// A metric value: a JSON number with 6 significant digits, or the API's "NaN", "Infinity",
// "-Infinity"; "-" for null.
std::string metric_text(const nlohmann::json& value);

// A time (milliseconds since the epoch) as local "YYYY-MM-DD HH:MM:SS"; "-" for null.
std::string time_text(const nlohmann::json& ms);

// A duration from two times ("4m12s", "1h05m"); "-" when `start` is null. A null `end` means
// "until now" (`now_ms`).
std::string duration_text(const nlohmann::json& start_ms, const nlohmann::json& end_ms,
                          int64_t now_ms);

// A trial's params, flattened to "a.b=v" pairs in key order: "lr=0.01 optimizer.name=adam".
std::string params_text(const nlohmann::json& params);

// The params flattened as (dotted name, text) pairs, in key order.
std::vector<std::pair<std::string, std::string>> flat_params(const nlohmann::json& params);

}  // namespace labsweep::cli
