#pragma once

// Strict readers of the JSON request bodies (docs/http-api.md): malformed JSON, a duplicated
// key, an unknown field, a missing required field or a value of the wrong type is an
// kInvalidArgument error that names the field. They never throw.

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "orchestrator/sweep_control.h"

namespace labsweep::orchestrator {

// POST /sweeps: {"spec": TEXT, "file_name"?: NAME, "name"?: NAME, "directory"?: PATH}.
Result<SweepSubmission> read_submit_request(std::string_view body);

// The actions that take no arguments (stop, resume): an empty body or an empty object.
Status read_empty_request(std::string_view body);

}  // namespace labsweep::orchestrator
