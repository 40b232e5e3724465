#include "orchestrator/trial_command.h"

#include "orchestrator/trial_config.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::orchestrator {

std::optional<std::vector<std::string>> displayed_command(const store::SweepRecord& sweep,
                                                          std::string_view params_json) {
  sweeps::ReadResult read = sweeps::read_sweep(sweep.spec_text);
  if (!read.spec) return std::nullopt;
  place_program(*read.spec, sweep.directory);
  GetEnv as_written = [](std::string_view name) -> std::optional<std::string> {
    return "${envvar:" + std::string(name) + "}";
  };
  Result<std::vector<std::string>> argv = trial_argv(*read.spec, params_json, as_written);
  if (!argv) return std::nullopt;
  return std::move(argv).value();
}

}  // namespace labsweep::orchestrator
