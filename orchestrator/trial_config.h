#pragma once

// A trial's parameters as they travel and are stored: the run config (sweeps/trial_params.h)
// as JSON text, written the way W&B's json.dumps writes it, and read back when the trial's
// command is rendered, so that a trial recovered from the store gets the same argv as a fresh
// one.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "sweeps/search/search_method.h"
#include "sweeps/sweep_spec.h"

namespace labsweep::orchestrator {

// ${args_json_file}: the parameters file's name, relative to the trial's working directory (the
// agent writes the file there, docs/trial-interface.md).
inline constexpr std::string_view kParamsFileName = "params.json";

// Looks up an environment variable for ${envvar:NAME} in commands.
using GetEnv = std::function<std::optional<std::string>(std::string_view)>;

// The run config of `suggestion` as JSON text (the trial's params_json).
std::string params_json(const sweeps::SweepSpec& spec, const sweeps::Suggestion& suggestion);

// A relative `program:` names a file in the directory the sweep was submitted from; trials run
// in directories of their own, so it is made absolute once, for every trial's command.
void place_program(sweeps::SweepSpec& spec, const std::string& directory);

// The argv of the trial whose params_json is `json`; an error when the text is not a JSON
// object (a store edited by hand, say).
Result<std::vector<std::string>> trial_argv(const sweeps::SweepSpec& spec, std::string_view json,
                                            const GetEnv& getenv);

// The values of the trial whose params_json is `json`, one per spec.parameters entry: the
// suggestion it was made from, for a search method that relearns it after a restart.
Result<std::vector<sweeps::Value>> trial_values(const sweeps::SweepSpec& spec,
                                                std::string_view json);

}  // namespace labsweep::orchestrator
