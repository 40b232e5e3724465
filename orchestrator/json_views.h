#pragma once

// The JSON the HTTP API returns for each kind of record (docs/http-api.md "Objects"). Field
// order follows the doc. Metric values that are not finite become "NaN", "Infinity" or
// "-Infinity", since JSON has no such numbers.

#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "orchestrator/sweep_control.h"
#include "orchestrator/sweep_objective.h"
#include "orchestrator/trial_fields.h"
#include "store/records.h"
#include "sweeps/diagnostic.h"

namespace labsweep::orchestrator {

using Json = nlohmann::ordered_json;

// Text for a response body: compact, with bytes that are not UTF-8 replaced by U+FFFD (stored
// text such as a trial's stderr may hold any bytes).
std::string to_body(const Json& json);

Json metric_value_json(double value);

Json sweep_json(const store::SweepOverview& sweep, const SweepObjective& objective,
                const std::optional<BestValue>& best);
// Only the `fields` asked for (every one by default), in kTrialFields' order.
Json trial_json(const store::TrialView& view, const TrialFields& fields = {});
Json live_agent_json(const LiveAgent& agent);
// An agent only the store remembers.
Json stored_agent_json(const store::AgentRecord& agent);
Json event_json(const store::EventRecord& event);
Json diagnostic_json(std::string_view file_name, const sweeps::Diagnostic& diagnostic);

}  // namespace labsweep::orchestrator
