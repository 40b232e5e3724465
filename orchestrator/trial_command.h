#pragma once

// The command a trial runs, as the trial page shows it (docs/http-api.md, the Trial object's
// `command`): rendered from the stored sweep file and the trial's parameters as the
// orchestrator renders it for the agent, but with ${envvar:NAME} left as written, since the
// orchestrator's environment (tokens, say) is not the dashboard's to show.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace labsweep::orchestrator {

// nullopt when the stored file no longer reads or the parameters are not a JSON object.
std::optional<std::vector<std::string>> displayed_command(const store::SweepRecord& sweep,
                                                          std::string_view params_json);

}  // namespace labsweep::orchestrator
