#pragma once

// `labsweep show SWEEP [--best N | --all] [--json] [--url URL]`: one sweep, its progress and its
// best trials (20 unless --best says otherwise; --all: every trial, in id order) with their
// parameters and the sweep metric. The server ranks the trials, so a sweep of any size shows at
// once.

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "cli/api_client.h"

namespace labsweep::cli {

// The trials table of a sweep: every trial in `trials` (API Trial objects), with the last and
// best value of `sweep`'s metric; `now_ms` for the durations of running trials.
std::string trials_table(const nlohmann::json& sweep, const nlohmann::json& trials, int64_t now_ms,
                         const std::map<int64_t, std::string>& agent_names = {});

// Agent names by id (trials name their agent by id), from GET /agents.
Result<std::map<int64_t, std::string>> fetch_agent_names(ApiClient& api);

// The sweep's `count` best trials (API Trial objects), ranked by the server (order=best) and
// read a page at a time: what it costs does not grow with the sweep's size.
Result<nlohmann::json> fetch_best_trials(ApiClient& api, int64_t sweep, size_t count);

void add_show_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
