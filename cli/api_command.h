#pragma once

// What the subcommands that talk to a server share: the `--url` option, connecting, and one
// way of reporting a failure.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"
#include "cli/api_client.h"

namespace labsweep::cli {

// Exit statuses of the server subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;   // the server could not be reached or refused
inline constexpr int kExitInvalid = 2;  // bad input: an invalid sweep file, a bad argument

// Adds `--url` (the server's HTTP address) to `command`, stored in `url`.
void add_url_option(CLI::App& command, std::string& url);

// Connects to the server named by `url_option` (or $LABSWEEP_URL, or the default), with the
// user's API token if there is one (client_token.h), and runs `body`; a failure to read the
// token or to connect is printed to `err` and gives kExitFailed.
int with_api_client(const std::string& url_option, std::ostream& err,
                    const std::function<int(ApiClient&)>& body);

// Prints `status` as the CLI's error line and returns kExitFailed.
int print_failure(const Status& status, std::ostream& err);

// Every trial of `sweep`, following the API's pages, in id order.
Result<nlohmann::json> fetch_all_trials(ApiClient& api, int64_t sweep);

}  // namespace labsweep::cli
