#pragma once

// The fields a list of trials is cut to: `fields=` of GET /api/v1/sweeps/{id}/trials
// (docs/http-api.md). A client that shows 10,000 trials in a table asks only for what it shows;
// a failed trial's stderr_tail alone can be kilobytes.

#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "base/status.h"

namespace labsweep::orchestrator {

// The Trial object's fields, in the order trial_json writes them (`params_text` stands in for
// `params` when the stored parameters are not JSON).
inline constexpr std::array<std::string_view, 16> kTrialFields = {
    "id",         "sweep",      "suggestion_index", "params", "status",      "agent",
    "gpus",       "attempts",   "exit_code",        "signal", "stderr_tail", "stop_reason",
    "created_ms", "started_ms", "finished_ms",      "metrics"};

class TrialFields {
 public:
  // Every field.
  TrialFields() = default;

  // `text`: names of the Trial object's fields, separated by commas ("id,status,params");
  // nullopt keeps every field. Fails (kInvalidArgument) on an empty or unknown name.
  static Result<TrialFields> parse(std::optional<std::string_view> text);

  // Whether the field named is asked for.
  bool has(std::string_view field) const { return !kept_ || kept_->contains(field); }

 private:
  std::optional<std::set<std::string, std::less<>>> kept_;
};

}  // namespace labsweep::orchestrator
