#include "cli/list_command.h"

#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/api_format.h"
#include "cli/text_table.h"

namespace labsweep::cli {
namespace {

struct ListOptions {
  bool json = false;
  std::string url;
};

int64_t count_of(const nlohmann::json& sweep, const char* status) {
  return sweep["counts"].value(status, int64_t{0});
}

int list(const ListOptions& o, std::ostream& out, std::ostream& err) {
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> answer = api.get("/sweeps");
    if (!answer) return print_failure(answer.status(), err);
    if (o.json) {
      out << (*answer)["sweeps"].dump(2) << '\n';
      return kExitOk;
    }
    TextTable table(
        {"ID", "NAME", "METHOD", "STATE", "TRIALS", "RUNNING", "FAILED", "BEST", "CREATED"});
    for (const auto& s : (*answer)["sweeps"]) {
      table.add_row({s["id"].dump(), s.value("name", ""), s.value("method", ""),
                     s.value("state", ""), progress_text(s), std::to_string(count_of(s, "running")),
                     std::to_string(count_of(s, "failed") + count_of(s, "lost")), best_text(s),
                     time_text(s["created_ms"])});
    }
    out << table.render("");
    return kExitOk;
  });
}

}  // namespace

std::string progress_text(const nlohmann::json& sweep) {
  int64_t ended = count_of(sweep, "completed") + count_of(sweep, "failed") +
                  count_of(sweep, "stopped") + count_of(sweep, "lost");
  const nlohmann::json& planned = sweep["planned_trials"];
  return std::to_string(ended) + "/" +
         (planned.is_number_integer() ? planned.dump()
                                      : std::to_string(count_of(sweep, "total")) + "+");
}

std::string best_text(const nlohmann::json& sweep) {
  const nlohmann::json& best = sweep["best"];
  if (!best.is_object()) return "-";
  return sweep["metric"].value("name", "") + " " + metric_text(best["value"]) + " (trial " +
         best["trial"].dump() + ")";
}

void add_list_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ListOptions>();
  CLI::App* cmd = app.add_subcommand("ls", "List the sweeps on a server");
  cmd->add_flag("--json", options->json, "Print the sweeps as JSON");
  add_url_option(*cmd, options->url);
  cmd->callback(
      [options, &action] { action = [options] { return list(*options, std::cout, std::cerr); }; });
}

}  // namespace labsweep::cli
