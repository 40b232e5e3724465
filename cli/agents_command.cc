#include "cli/agents_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "cli/api_command.h"
#include "cli/api_format.h"
#include "cli/text_table.h"

namespace labsweep::cli {
namespace {

struct AgentsOptions {
  bool json = false;
  std::string url;
};

// "2 free / 8 (3 busy)": GPUs free for labsweep, all of them, those someone else uses.
std::string gpus_text(const nlohmann::json& agent) {
  int free = 0, busy = 0, total = 0;
  for (const auto& gpu : agent["gpus"]) {
    ++total;
    free += gpu.value("free", false);
    busy += gpu.value("used_by_others", false);
  }
  if (total == 0) return "-";
  std::string text = std::to_string(free) + " free / " + std::to_string(total);
  return busy ? text + " (" + std::to_string(busy) + " used by others)" : text;
}

std::string trials_text(const nlohmann::json& agent) {
  std::string text;
  for (const auto& id : agent["running_trials"]) text += (text.empty() ? "" : ",") + id.dump();
  return text.empty() ? "-" : text;
}

int agents(const AgentsOptions& o, std::ostream& out, std::ostream& err) {
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> answer = api.get("/agents");
    if (!answer) return print_failure(answer.status(), err);
    if (o.json) {
      out << (*answer)["agents"].dump(2) << '\n';
      return kExitOk;
    }
    TextTable table({"NAME", "HOST", "STATE", "GPUS", "SLOTS", "TRIALS", "LAST HEARTBEAT"});
    for (const auto& a : (*answer)["agents"]) {
      std::string slots =
          a.value("live", false) ? a["slots_used"].dump() + "/" + a["slots_total"].dump() : "-";
      table.add_row({a.value("name", ""), a.value("host", ""), a.value("state", ""), gpus_text(a),
                     slots, trials_text(a), time_text(a["last_heartbeat_ms"])});
    }
    out << table.render("");
    return kExitOk;
  });
}

}  // namespace

void add_agents_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<AgentsOptions>();
  CLI::App* cmd = app.add_subcommand("agents", "List the agents, their GPUs and trials");
  cmd->add_flag("--json", options->json, "Print the agents as JSON");
  add_url_option(*cmd, options->url);
  cmd->callback([options, &action] {
    action = [options] { return agents(*options, std::cout, std::cerr); };
  });
}

}  // namespace labsweep::cli
