#include "sweeps/sweep_reader.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sweeps/did_you_mean.h"
#include "sweeps/parameter_reader.h"
#include "sweeps/python_format.h"
#include "sweeps/search/grid_space.h"
#include "sweeps/yaml_reader.h"

namespace labsweep::sweeps {

std::string_view method_name(Method m) {
  switch (m) {
    case Method::kGrid:
      return "grid";
    case Method::kRandom:
      return "random";
    case Method::kBayes:
      return "bayes";
    case Method::kCustom:
      return "custom";
  }
  return "unknown";
}

namespace {

constexpr std::string_view kTopLevelKeys[] = {
    "method", "parameters",  "metric",    "early_terminate", "command",    "program",    "run_cap",
    "name",   "description", "project",   "entity",          "controller", "apiVersion", "kind",
    "job",    "image_uri",   "scheduler", "metrics",         "labsweep"};
constexpr std::string_view kMetricKeys[] = {"name", "goal", "target", "impute",
                                            "impute_while_running"};
constexpr size_t kMaxFileBytes = 16 << 20;

class SweepReader {
 public:
  explicit SweepReader(Diagnostics& d) : d_(d) {}
  std::optional<SweepSpec> read(const Value& root);

 private:
  void check_top_level_keys(const Value& root);
  void read_method(const Value& root);
  void read_metric(const Value& metric);
  void read_strings(const Value& root);
  void read_command(const Value& root);
  void read_run_cap(const Value& run_cap);
  void read_w_and_b_only(const Value& root);
  void check_method_requirements(const Value& root);
  const Value* string_field(const Value& map, std::string_view key, std::string_view where);

  Diagnostics& d_;
  SweepSpec spec_;
};

std::optional<SweepSpec> SweepReader::read(const Value& root) {
  if (!root.is_map()) {
    d_.error(root.location(), "Sweep config must be parsable as a JSON object.");
    return std::nullopt;
  }
  check_top_level_keys(root);
  read_method(root);
  const Value* parameters = root.find("parameters");
  if (!parameters) {
    d_.error({1, 1}, "'parameters' is a required property");
  } else if (!parameters->is_map() || parameters->as_map().empty()) {
    d_.error(parameters->location(),
             "Parameters section of sweep config must be a dict of at least length 1");
  } else {
    spec_.parameters = read_parameters(*parameters, d_);
  }
  if (const Value* m = root.find("metric")) read_metric(*m);
  if (const Value* et = root.find("early_terminate"))
    spec_.early_terminate = read_early_terminate(*et, d_);
  read_strings(root);
  read_command(root);
  if (const Value* rc = root.find("run_cap")) read_run_cap(*rc);
  read_w_and_b_only(root);
  if (const Value* ls = root.find("labsweep")) spec_.labsweep = read_labsweep_settings(*ls, d_);
  if (d_.has_errors()) return std::nullopt;
  check_method_requirements(root);
  if (d_.has_errors()) return std::nullopt;
  return std::move(spec_);
}

void SweepReader::check_top_level_keys(const Value& root) {
  for (const auto& [key, v] : root.as_map()) {
    if (std::find(std::begin(kTopLevelKeys), std::end(kTopLevelKeys), key) ==
        std::end(kTopLevelKeys)) {
      d_.error(v.key_location(), "Additional properties are not allowed ('" + key +
                                     "' was unexpected)" + did_you_mean(key, kTopLevelKeys));
    }
  }
}

void SweepReader::read_method(const Value& root) {
  const Value* method = root.find("method");
  if (!method) {
    d_.error({1, 1}, "'method' is a required property");
    return;
  }
  static constexpr std::string_view kMethods[] = {"bayes", "random", "grid", "custom"};
  constexpr Method kValues[] = {Method::kBayes, Method::kRandom, Method::kGrid, Method::kCustom};
  for (size_t i = 0; i < std::size(kMethods); ++i) {
    if (method->is_string() && method->as_string() == kMethods[i]) {
      spec_.method = kValues[i];
      return;
    }
  }
  std::string hint = method->is_string() ? did_you_mean(method->as_string(), kMethods) : "";
  d_.error(method->location(),
           python_repr(*method) + " is not one of ['bayes', 'random', 'grid', 'custom']" + hint);
}

void SweepReader::read_metric(const Value& metric) {
  if (!metric.is_map()) {
    d_.error(metric.location(), "invalid type for metric: expected dict, got " +
                                    std::string(kind_name(metric.kind())));
    return;
  }
  for (const auto& [key, v] : metric.as_map()) {
    if (std::find(std::begin(kMetricKeys), std::end(kMetricKeys), key) == std::end(kMetricKeys)) {
      d_.error(v.key_location(), "metric: Additional properties are not allowed ('" + key +
                                     "' was unexpected)" + did_you_mean(key, kMetricKeys));
    }
  }
  Metric m;
  const Value* name = metric.find("name");
  if (!name || !name->is_string() || name->as_string().empty()) {
    d_.error(name ? name->location() : metric.location(),
             "metric: 'name' is a required property and must be a non-empty string");
  } else {
    m.name = name->as_string();
  }
  if (const Value* goal = metric.find("goal")) {
    if (goal->is_string() && (goal->as_string() == "minimize" || goal->as_string() == "maximize")) {
      m.goal = goal->as_string() == "maximize" ? Goal::kMaximize : Goal::kMinimize;
    } else {
      // W&B's engine silently reads an invalid goal as minimize; that hides a typo such as
      // 'maximise' that turns the search around, so labsweep refuses it.
      d_.error(goal->location(),
               "metric.goal: " + python_repr(*goal) + " is not one of ['minimize', 'maximize']");
    }
  }
  if (const Value* target = metric.find("target")) {
    if (!target->is_number()) {
      d_.error(target->location(),
               "metric.target: " + python_repr(*target) + " is not of type 'number'");
    } else {
      m.target = target->as_number();
    }
  }
  auto read_enum = [&](std::string_view key, std::vector<std::string_view> allowed,
                       std::string& out) {
    const Value* v = metric.find(key);
    if (!v) return;
    if (v->is_bool() && !v->as_bool() && key == "impute_while_running") {
      out = "false";  // `false` unquoted means the string "false" here
      return;
    }
    if (v->is_string() &&
        std::find(allowed.begin(), allowed.end(), v->as_string()) != allowed.end()) {
      out = v->as_string();
      return;
    }
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
    d_.error(v->location(), "metric." + std::string(key) + ": " + python_repr(*v) +
                                " is not one of [" + list + "]");
  };
  read_enum("impute", {"latest", "best", "worst"}, m.impute);
  read_enum("impute_while_running", {"latest", "best", "worst", "false"}, m.impute_while_running);
  spec_.metric = std::move(m);
}

const Value* SweepReader::string_field(const Value& map, std::string_view key,
                                       std::string_view where) {
  const Value* v = map.find(key);
  if (v && !v->is_string()) {
    d_.error(v->location(), std::string(where) + std::string(key) + ": " + python_repr(*v) +
                                " is not of type 'string'");
    return nullptr;
  }
  return v;
}

void SweepReader::read_strings(const Value& root) {
  if (const Value* v = string_field(root, "program", "")) spec_.program = v->as_string();
  if (const Value* v = string_field(root, "name", "")) spec_.name = v->as_string();
  if (const Value* v = string_field(root, "description", "")) spec_.description = v->as_string();
  if (const Value* v = string_field(root, "project", "")) spec_.project = v->as_string();
  if (const Value* v = string_field(root, "entity", "")) spec_.entity = v->as_string();
  for (std::string_view key : {"apiVersion", "job", "image_uri"}) string_field(root, key, "");
}

void SweepReader::read_command(const Value& root) {
  const Value* command = root.find("command");
  if (!command) {
    for (const char* e : {"${env}", "${interpreter}", "${program}", "${args}"}) {
      spec_.command.emplace_back(e);
    }
    return;
  }
  if (!command->is_list() || command->as_list().empty()) {
    d_.error(command->location(),
             "command must be a non-empty list of arguments, not " + python_repr(*command));
    return;
  }
  spec_.command = command->as_list();
}

void SweepReader::read_run_cap(const Value& run_cap) {
  if (!run_cap.is_int() || run_cap.as_int() <= 0) {
    d_.error(run_cap.location(),
             "run_cap: " + python_repr(run_cap) + " must be an integer greater than 0");
    return;
  }
  spec_.run_cap = run_cap.as_int();
}

// Keys that only mean something to W&B's cloud or Launch: checked for shape, then explained.
void SweepReader::read_w_and_b_only(const Value& root) {
  if (const Value* c = root.find("controller")) {
    const Value* type = c->is_map() ? c->find("type") : nullptr;
    if (!type || !type->is_string() ||
        (type->as_string() != "local" && type->as_string() != "cloud")) {
      d_.error(c->location(), "controller: 'type' is required and must be 'local' or 'cloud'");
    }
  }
  if (const Value* k = root.find("kind"); k && !(k->is_string() && k->as_string() == "sweep")) {
    d_.error(k->location(), "kind: " + python_repr(*k) + " is not one of ['sweep']");
  }
  if (const Value* s = root.find("scheduler")) {
    d_.warning(s->key_location(),
               "scheduler configures W&B Launch's schedulers; labsweep "
               "ignores it (see labsweep.search)");
  }
  if (const Value* m = root.find("metrics")) {
    d_.error(m->key_location(),
             "metrics (multi-objective, W&B Launch only) is not supported by "
             "labsweep; use metric");
  }
}

void SweepReader::check_method_requirements(const Value& root) {
  SourceLocation method_where = root.find("method")->location();
  bool searchable =
      std::any_of(spec_.parameters.begin(), spec_.parameters.end(),
                  [](const Parameter& p) { return p.distribution != Distribution::kConstant; });
  if (spec_.method == Method::kCustom && !spec_.labsweep.search) {
    d_.error(method_where,
             "method 'custom' needs a custom W&B Launch scheduler; with labsweep, "
             "name a search method in labsweep.search (tpe or sobol)");
  }
  // Of labsweep's own methods only tpe learns from results; sobol, like random, needs no metric.
  if (spec_.method == Method::kBayes && !spec_.metric) {
    d_.error(method_where, "Bayesian search requires \"metric\" section");
  } else if (spec_.labsweep.search == "tpe" && !spec_.metric) {
    d_.error(root.find("labsweep")->find("search")->location(),
             "labsweep.search: tpe learns from the metric and requires \"metric\" section");
  }
  if (spec_.method == Method::kBayes && !searchable) {
    d_.error(method_where, "Need at least one searchable parameter for bayes search.");
  }
  if ((spec_.early_terminate || !spec_.labsweep.early_stopping.empty()) && !spec_.metric) {
    SourceLocation where = spec_.early_terminate ? root.find("early_terminate")->location()
                                                 : root.find("labsweep")->location();
    d_.error(where, "early terminate requires \"metric\" section");
  }
  if (spec_.method == Method::kGrid) check_grid_parameters(spec_.parameters, d_);
  bool uses_program = std::any_of(spec_.command.begin(), spec_.command.end(), [](const Value& e) {
    return e.is_string() && e.as_string() == "${program}";
  });
  if (uses_program && !spec_.program) {
    d_.error({1, 1}, "'program' is required: the command uses ${program}" +
                         std::string(root.find("command") ? "" : " (W&B's default command)"));
  }
}

}  // namespace

ReadResult read_sweep(std::string_view text) {
  ReadResult result;
  std::optional<Value> root = read_yaml(text, result.diagnostics);
  if (!root) return result;
  result.spec = SweepReader(result.diagnostics).read(*root);
  return result;
}

ReadResult read_sweep_file(const std::string& path, std::string* text_out) {
  ReadResult result;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    result.diagnostics.error({}, "Couldn't open sweep file: " + path + " is a directory");
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.diagnostics.error({}, "Couldn't open sweep file: " + path);
    return result;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  std::string text = std::move(buffer).str();
  if (text.size() > kMaxFileBytes) {
    result.diagnostics.error({}, "the file is larger than 16 MiB; a sweep file is a few lines");
    return result;
  }
  result = read_sweep(text);
  if (text_out) *text_out = std::move(text);
  return result;
}

}  // namespace labsweep::sweeps
