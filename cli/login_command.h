#pragma once

// `labsweep login [--url URL]`: reads an API token from standard input (without echo at a
// terminal), checks that the server accepts it, and keeps it for the other commands in the
// user's configuration directory (client_token.h). A refused token is not kept.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <string>

namespace labsweep::cli {

void add_login_command(CLI::App& app, std::function<int()>& action);

// The command itself: the token is the first line of `in`.
int login(const std::string& url_option, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace labsweep::cli
