// The `labsweep` binary: one subcommand per file in cli/.

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/agent_command.h"
#include "cli/agents_command.h"
#include "cli/export_command.h"
#include "cli/keys_command.h"
#include "cli/list_command.h"
#include "cli/login_command.h"
#include "cli/run_command.h"
#include "cli/server_command.h"
#include "cli/show_command.h"
#include "cli/stop_command.h"
#include "cli/submit_command.h"
#include "cli/tokens_command.h"
#include "cli/validate_command.h"

int main(int argc, char** argv) {
  CLI::App app{"labsweep: hyperparameter sweeps on your lab's GPU machines"};
  app.set_version_flag("--version", std::string("labsweep ") + LABSWEEP_VERSION);
  app.require_subcommand(1);

  std::function<int()> action;
  labsweep::cli::add_validate_command(app, action);
  labsweep::cli::add_run_command(app, action);
  labsweep::cli::add_server_command(app, action);
  labsweep::cli::add_agent_command(app, action);
  labsweep::cli::add_submit_command(app, action);
  labsweep::cli::add_list_command(app, action);
  labsweep::cli::add_show_command(app, action);
  labsweep::cli::add_stop_command(app, action);
  labsweep::cli::add_resume_command(app, action);
  labsweep::cli::add_agents_command(app, action);
  labsweep::cli::add_export_command(app, action);
  labsweep::cli::add_keys_command(app, action);
  labsweep::cli::add_tokens_command(app, action);
  labsweep::cli::add_login_command(app, action);

  CLI11_PARSE(app, argc, argv);
  return action ? action() : 0;
}
