#pragma once

// A trial's command line (reference §4): the sweep's `command` with W&B's macros expanded,
// as an argv vector that is executed directly, never through a shell.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sweeps/sweep_spec.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

struct CommandContext {
  // The JSON file holding the trial's parameters (LABSWEEP_PARAMS_FILE): ${args_json_file}.
  std::string params_file;
  // Looks up an environment variable for ${envvar:NAME}; injected so that rendering is pure.
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

// The argv of a trial whose run config (nest_parameters) is `config`.
std::vector<std::string> render_command(const SweepSpec& spec, const Value& config,
                                        const CommandContext& context);

// The arguments of one args macro ("args", "args_no_hyphens", "args_no_equals",
// "args_no_boolean_flags", "args_json"), in the config's (sorted) order.
std::vector<std::string> render_args_macro(std::string_view macro, const Value& config);

}  // namespace labsweep::sweeps
