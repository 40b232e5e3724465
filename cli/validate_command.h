#pragma once

// `labsweep validate FILE [--json] [--preview N]`: reads a sweep file as `labsweep run` would,
// then prints what the sweep will do, or every error with its place.

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <string>

namespace labsweep::cli {

struct ValidateOptions {
  std::string file;
  bool json = false;
  int preview = 5;
};

// Exit status: 0 valid, 2 invalid (or unreadable).
int run_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err,
                 bool err_is_terminal);

// Adds the subcommand to `app`; when it is chosen, `action` is set to run it.
void add_validate_command(CLI::App& app, std::function<int()>& action);

}  // namespace labsweep::cli
