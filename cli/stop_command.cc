#include "cli/stop_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/api_command.h"

namespace labsweep::cli {
namespace {

struct ChangeOptions {
  int64_t id = 0;
  bool trial = false;  // `id` names a trial, not a sweep
  std::string url;
};

int change(const ChangeOptions& o, const std::string& action, std::ostream& out,
           std::ostream& err) {
  std::string what = o.trial ? "trial" : "sweep";
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> answer =
        api.post("/" + what + "s/" + std::to_string(o.id) + "/" + action, nlohmann::json::object());
    if (!answer) return print_failure(answer.status(), err);
    out << (action == "stop" ? "stopping " : "resuming ") << what << " " << o.id << "\n";
    return kExitOk;
  });
}

}  // namespace

void add_stop_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ChangeOptions>();
  CLI::App* cmd = app.add_subcommand("stop", "Stop a sweep, or one trial with --trial");
  cmd->add_option("id", options->id, "The sweep's id (the trial's with --trial)")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--trial", options->trial, "The id names a trial");
  add_url_option(*cmd, options->url);
  cmd->callback([options, &action] {
    action = [options] { return change(*options, "stop", std::cout, std::cerr); };
  });
}

void add_resume_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ChangeOptions>();
  CLI::App* cmd = app.add_subcommand("resume", "Run a stopped sweep again");
  cmd->add_option("sweep", options->id, "The sweep's id")->required()->check(CLI::PositiveNumber);
  add_url_option(*cmd, options->url);
  cmd->callback([options, &action] {
    action = [options] { return change(*options, "resume", std::cout, std::cerr); };
  });
}

}  // namespace labsweep::cli
