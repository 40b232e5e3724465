#pragma once

// A metric series as the API sends it, [[step, value, time_ms], ...] (docs/http-api.md),
// appended straight to a response body as text: the best 100 trials' curves are 120,000
// points, and a JSON document of them costs more to build and dump than the text itself.
// Values read as metric_value_json (json_views.h) makes them: a finite value in its shortest
// form that reads back as the same double, with ".0" when it is whole, as nlohmann::json writes
// it; "NaN", "Infinity" and "-Infinity" as strings.

#include <span>
#include <string>

#include "store/records.h"

namespace labsweep::orchestrator {

void append_points_json(std::string& out, std::span<const store::MetricPoint> points);

// The same series as three members of an object, "steps":[...],"values":[...],"times":[...]
// (`layout=columns`): a browser parses three arrays of numbers several times faster than as
// many small arrays as there are points, and the text is shorter.
void append_point_columns_json(std::string& out, std::span<const store::MetricPoint> points);

// One value, as above.
void append_metric_value_json(std::string& out, double value);

}  // namespace labsweep::orchestrator
