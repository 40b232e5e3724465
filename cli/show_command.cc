#include "cli/show_command.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/api_command.h"
#include "cli/api_format.h"
#include "cli/list_command.h"
#include "cli/text_table.h"

namespace labsweep::cli {
namespace {

struct ShowOptions {
  int64_t sweep = 0;
  size_t best = 20;  // the N best trials, which the server ranks
  bool all = false;  // every trial, in id order, instead
  bool json = false;
  std::string url;
};

// The API's largest page (docs/http-api.md).
constexpr size_t kMaxPage = 10'000;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string metric_name(const nlohmann::json& sweep) {
  return sweep["metric"].is_object() ? sweep["metric"].value("name", "") : "";
}

bool maximizes(const nlohmann::json& sweep) {
  return sweep["metric"].is_object() && sweep["metric"].value("goal", "") == "maximize";
}

// The trial's best value of the sweep metric, when it has a finite one.
std::optional<double> best_value(const nlohmann::json& sweep, const nlohmann::json& trial) {
  const nlohmann::json& metrics = trial["metrics"];
  std::string name = metric_name(sweep);
  if (name.empty() || !metrics.contains(name)) return std::nullopt;
  const nlohmann::json& extreme = metrics[name][maximizes(sweep) ? "max" : "min"];
  if (!extreme.is_object() || !extreme["value"].is_number()) return std::nullopt;
  return extreme["value"].get<double>();
}

std::string status_text(const nlohmann::json& t) {
  std::string status = t.value("status", "");
  if (t["signal"].is_number_integer() && t["signal"].get<int>() != 0) {
    return status + " (signal " + t["signal"].dump() + ")";
  }
  if (status == "failed" && t["exit_code"].is_number_integer()) {
    return status + " (exit " + t["exit_code"].dump() + ")";
  }
  return status;
}

std::string summary_line(const nlohmann::json& s) {
  const nlohmann::json& c = s["counts"];
  return progress_text(s) + " ended: " + c["completed"].dump() + " completed, " +
         c["failed"].dump() + " failed, " + c["stopped"].dump() + " stopped, " + c["lost"].dump() +
         " lost; " + c["running"].dump() + " running, " + c["pending"].dump() + " pending";
}

// Why each stopped trial shown was stopped: an early-stopping rule's reason, or the user's.
void print_stop_reasons(const nlohmann::json& trials, std::ostream& out) {
  bool first = true;
  for (const auto& t : trials) {
    if (t.value("status", "") != "stopped" || t.value("stop_reason", "").empty()) continue;
    out << (first ? "\nstopped:\n" : "") << "  trial " << t["id"].dump() << ": "
        << t.value("stop_reason", "") << '\n';
    first = false;
  }
}

// Trials that end without ever reporting the sweep's metric are most often a misspelt name: a
// sweep like that ranks nothing and stops nothing early, which the user should hear of.
void warn_if_metric_missing(const nlohmann::json& s, std::ostream& out) {
  const nlohmann::json& c = s["counts"];
  int64_t ended = c.value("completed", int64_t{0}) + c.value("stopped", int64_t{0});
  if (s["best"].is_object() || ended == 0) return;
  out << "  warning  " << ended << " trials ended and none reported " << metric_name(s)
      << ": is it the name the trials report? Until one does, no trial is ranked or stopped "
         "early by it\n";
}

void print_sweep(const nlohmann::json& s, std::ostream& out) {
  out << "sweep " << s["id"].dump() << "  " << s.value("name", "") << "  (" << s.value("method", "")
      << ", " << s.value("state", "") << ")\n";
  out << "  created  " << time_text(s["created_ms"]) << "   ran "
      << duration_text(s["created_ms"], s["finished_ms"], now_ms()) << "\n";
  if (s["metric"].is_object()) {
    out << "  metric   " << metric_name(s) << " (" << s["metric"].value("goal", "") << ")   best "
        << best_text(s) << "\n";
    warn_if_metric_missing(s, out);
  }
  out << "  trials   " << summary_line(s) << "\n";
}

// Says what the table leaves out, and how to see it.
void print_omitted(const nlohmann::json& sweep, size_t shown, std::ostream& out) {
  const nlohmann::json& total = sweep["counts"]["total"];
  if (!total.is_number_integer() || static_cast<int64_t>(shown) >= total.get<int64_t>()) return;
  std::string metric = metric_name(sweep);
  out << "\n"
      << (metric.empty() ? "the first " : "the best ") << shown << " of " << total.dump()
      << " trials" << (metric.empty() ? "" : " by " + metric)
      << "; --best N for more, --all for every trial\n";
}

int show(const ShowOptions& o, std::ostream& out, std::ostream& err) {
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> sweep = api.get("/sweeps/" + std::to_string(o.sweep));
    if (!sweep) return print_failure(sweep.status(), err);
    Result<nlohmann::json> trials =
        o.all ? fetch_all_trials(api, o.sweep) : fetch_best_trials(api, o.sweep, o.best);
    if (!trials) return print_failure(trials.status(), err);
    if (o.json) {
      (*sweep)["trials"] = *trials;
      out << sweep->dump(2) << '\n';
      return kExitOk;
    }
    print_sweep(*sweep, out);
    Result<std::map<int64_t, std::string>> agents = fetch_agent_names(api);
    if (!agents) return print_failure(agents.status(), err);
    if (!trials->empty()) out << '\n' << trials_table(*sweep, *trials, now_ms(), *agents);
    print_stop_reasons(*trials, out);
    if (!o.all) print_omitted(*sweep, trials->size(), out);
    return kExitOk;
  });
}

}  // namespace

Result<nlohmann::json> fetch_best_trials(ApiClient& api, int64_t sweep, size_t count) {
  nlohmann::json trials = nlohmann::json::array();
  int64_t offset = 0;
  while (trials.size() < count) {
    size_t page = std::min(count - trials.size(), kMaxPage);
    Result<nlohmann::json> answer = api.get("/sweeps/" + std::to_string(sweep) +
                                            "/trials?order=best&limit=" + std::to_string(page) +
                                            "&offset=" + std::to_string(offset));
    if (!answer) return answer.status();
    for (nlohmann::json& trial : (*answer)["trials"]) trials.push_back(std::move(trial));
    const nlohmann::json& next = (*answer)["next_offset"];
    if (!next.is_number_integer()) break;
    offset = next.get<int64_t>();
  }
  return trials;
}

Result<std::map<int64_t, std::string>> fetch_agent_names(ApiClient& api) {
  Result<nlohmann::json> answer = api.get("/agents");
  if (!answer) return answer.status();
  std::map<int64_t, std::string> names;
  for (const nlohmann::json& agent : (*answer)["agents"]) {
    if (agent["id"].is_number_integer() && agent["name"].is_string())
      names[agent["id"].get<int64_t>()] = agent["name"].get<std::string>();
  }
  return names;
}

std::string trials_table(const nlohmann::json& sweep, const nlohmann::json& trials, int64_t now,
                         const std::map<int64_t, std::string>& agent_names) {
  auto agent_text = [&agent_names](const nlohmann::json& agent) -> std::string {
    if (!agent.is_number_integer()) return "-";
    auto it = agent_names.find(agent.get<int64_t>());
    return it != agent_names.end() ? it->second : agent.dump();
  };
  std::string metric = metric_name(sweep);
  TextTable table({"TRIAL", "STATUS", "STEP", metric.empty() ? "LAST" : metric,
                   metric.empty() ? "BEST" : "best", "TIME", "AGENT", "PARAMS"});
  for (const auto& t : trials) {
    const nlohmann::json& summary =
        metric.empty() ? nlohmann::json() : t["metrics"].value(metric, nlohmann::json());
    std::optional<double> best = best_value(sweep, t);
    table.add_row(
        {t["id"].dump(), status_text(t), summary.is_object() ? summary["last_step"].dump() : "-",
         summary.is_object() ? metric_text(summary["last_value"]) : "-",
         best ? metric_text(*best) : "-", duration_text(t["started_ms"], t["finished_ms"], now),
         agent_text(t["agent"]), params_text(t["params"])});
  }
  return table.render("");
}

void add_show_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ShowOptions>();
  CLI::App* cmd = app.add_subcommand("show", "Show one sweep and its best trials");
  cmd->add_option("sweep", options->sweep, "The sweep's id")
      ->required()
      ->check(CLI::PositiveNumber);
  CLI::Option* best =
      cmd->add_option("--best", options->best,
                      "The N best trials by the sweep's metric, ranked by the server (default 20)")
          ->check(CLI::PositiveNumber);
  cmd->add_flag("--all", options->all, "Every trial, in id order")->excludes(best);
  cmd->add_flag("--json", options->json, "Print the sweep and its trials as JSON");
  add_url_option(*cmd, options->url);
  cmd->callback(
      [options, &action] { action = [options] { return show(*options, std::cout, std::cerr); }; });
}

}  // namespace labsweep::cli
