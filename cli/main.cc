// The `labsweep` binary: one subcommand per file in cli/.

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/validate_command.h"

int main(int argc, char** argv) {
  CLI::App app{"labsweep: hyperparameter sweeps on your lab's GPU machines"};
  app.set_version_flag("--version", std::string("labsweep ") + LABSWEEP_VERSION);
  app.require_subcommand(1);

  std::function<int()> action;
  labsweep::cli::add_validate_command(app, action);

  CLI11_PARSE(app, argc, argv);
  return action ? action() : 0;
}
