#include "cli/export_command.h"

#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/api_command.h"
#include "cli/api_format.h"

namespace labsweep::cli {
namespace {

struct ExportOptions {
  int64_t sweep = 0;
  std::string format = "csv";
  bool series = false;
  std::string output;  // empty: standard output
  std::string url;
};

constexpr const char* kTrialColumns[] = {"trial",      "status",     "attempts",   "agent",
                                         "gpus",       "exit_code",  "signal",     "stop_reason",
                                         "created_ms", "started_ms", "finished_ms"};
constexpr const char* kSummaryFields[] = {"last_step", "last_value", "min", "max"};

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string plain(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

std::string gpus_text(const nlohmann::json& gpus) {
  std::string text;
  for (const auto& g : gpus) text += (text.empty() ? "" : " ") + g.dump();
  return text;
}

std::vector<std::string> trial_cells(const nlohmann::json& t) {
  return {plain(t["id"]),         plain(t["status"]),      plain(t["attempts"]),
          plain(t["agent"]),      gpus_text(t["gpus"]),    plain(t["exit_code"]),
          plain(t["signal"]),     plain(t["stop_reason"]), plain(t["created_ms"]),
          plain(t["started_ms"]), plain(t["finished_ms"])};
}

std::string summary_cell(const nlohmann::json& summary, const std::string& field) {
  if (!summary.is_object()) return "";
  const nlohmann::json& v = summary[field];
  if (field == "min" || field == "max") return v.is_object() ? plain(v["value"]) : "";
  return plain(v);
}

void write_row(const std::vector<std::string>& cells, std::ostream& out) {
  for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
  out << "\r\n";
}

int write_output(const ExportOptions& o, const std::string& text, std::ostream& out,
                 std::ostream& err) {
  if (o.output.empty()) {
    out << text;
    return kExitOk;
  }
  std::ofstream file(o.output, std::ios::binary);
  file << text;
  if (!file.flush()) return print_failure(io_error("cannot write " + o.output), err);
  return kExitOk;
}

// Adds "series": {key: [[step, value, time_ms], ...]} to every trial, a request per key and
// up to 1000 trials.
Status add_series(ApiClient& api, nlohmann::json& trials) {
  std::set<std::string> keys;
  for (const auto& t : trials) {
    for (const auto& [key, _] : t["metrics"].items()) keys.insert(key);
  }
  for (auto& t : trials) t["series"] = nlohmann::json::object();
  for (const std::string& key : keys) {
    for (size_t begin = 0; begin < trials.size(); begin += 1000) {
      std::string ids;
      for (size_t i = begin; i < std::min(trials.size(), begin + 1000); ++i) {
        ids += (ids.empty() ? "" : ",") + trials[i]["id"].dump();
      }
      Result<nlohmann::json> answer = api.get("/metrics?key=" + key + "&trials=" + ids);
      if (!answer) return answer.status();
      size_t i = begin;
      for (const auto& s : (*answer)["series"]) trials[i++]["series"][key] = s["points"];
    }
  }
  return Status::ok();
}

int export_sweep(const ExportOptions& o, std::ostream& out, std::ostream& err) {
  return with_api_client(o.url, err, [&](ApiClient& api) {
    Result<nlohmann::json> sweep = api.get("/sweeps/" + std::to_string(o.sweep));
    if (!sweep) return print_failure(sweep.status(), err);
    Result<nlohmann::json> trials = fetch_all_trials(api, o.sweep);
    if (!trials) return print_failure(trials.status(), err);
    if (o.format == "csv") return write_output(o, trials_csv(*trials), out, err);
    if (o.series) {
      if (Status s = add_series(api, *trials); !s.is_ok()) return print_failure(s, err);
    }
    nlohmann::json document = {{"sweep", *sweep}, {"trials", *trials}};
    return write_output(o, document.dump(2) + "\n", out, err);
  });
}

}  // namespace

std::string trials_csv(const nlohmann::json& trials) {
  std::set<std::string> params, metrics;
  for (const auto& t : trials) {
    for (const auto& [name, _] : flat_params(t["params"])) params.insert(name);
    for (const auto& [key, _] : t["metrics"].items()) metrics.insert(key);
  }
  std::vector<std::string> header(std::begin(kTrialColumns), std::end(kTrialColumns));
  for (const auto& p : params) header.push_back("param." + p);
  for (const auto& m : metrics) {
    for (const char* f : kSummaryFields) header.push_back(m + "." + f);
  }
  std::ostringstream out;
  write_row(header, out);
  for (const auto& t : trials) {
    std::vector<std::string> cells = trial_cells(t);
    std::map<std::string, std::string> values;
    for (auto& [name, value] : flat_params(t["params"])) values[name] = value;
    for (const auto& p : params) cells.push_back(values.count(p) ? values[p] : "");
    for (const auto& m : metrics) {
      const nlohmann::json& summary = t["metrics"].value(m, nlohmann::json());
      for (const char* f : kSummaryFields) cells.push_back(summary_cell(summary, f));
    }
    write_row(cells, out);
  }
  return out.str();
}

void add_export_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Export a sweep's trials as CSV or JSON");
  cmd->add_option("sweep", options->sweep, "The sweep's id")
      ->required()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--format", options->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}));
  cmd->add_flag("--series", options->series, "With --format json: every metric's points too");
  cmd->add_option("-o,--output", options->output, "Write to this file instead of the terminal");
  add_url_option(*cmd, options->url);
  cmd->callback([options, &action] {
    action = [options] { return export_sweep(*options, std::cout, std::cerr); };
  });
}

}  // namespace labsweep::cli
