#include "cli/validate_command.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/text_table.h"
#include "cli/value_json.h"
#include "sweeps/command.h"
#include "sweeps/python_format.h"
#include "sweeps/search/search_method.h"
#include "sweeps/sweep_reader.h"
#include "sweeps/trial_params.h"

namespace labsweep::cli {
namespace {

using nlohmann::ordered_json;
using sweeps::Distribution;
using sweeps::Parameter;
using sweeps::SweepSpec;

constexpr uint64_t kPreviewSeed = 0;  // a file without labsweep.seed gets one at submission
constexpr size_t kMaxSummary = 60;

std::string shorten(std::string text) {
  if (text.size() > kMaxSummary) text = text.substr(0, kMaxSummary - 3) + "...";
  return text;
}

// The parameter's values in a few words: its list, its range, or its shape.
std::string summary(const Parameter& p) {
  using sweeps::python_repr;
  using sweeps::python_str;
  switch (p.distribution) {
    case Distribution::kConstant:
      return shorten(python_repr(p.value));
    case Distribution::kCategorical:
    case Distribution::kCategoricalWithProbabilities:
      return shorten(python_repr(sweeps::Value(p.values)));
    case Distribution::kNormal:
    case Distribution::kQNormal:
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      return "mu=" + sweeps::python_float_repr(p.mu) +
             " sigma=" + sweeps::python_float_repr(p.sigma) +
             (sweeps::is_quantized(p.distribution) ? " q=" + python_str(p.q) : "");
    case Distribution::kBeta:
    case Distribution::kQBeta:
      return "a=" + sweeps::python_float_repr(p.a) + " b=" + sweeps::python_float_repr(p.b) +
             (sweeps::is_quantized(p.distribution) ? " q=" + python_str(p.q) : "");
    default:
      return python_str(p.min) + " .. " + python_str(p.max) +
             (sweeps::is_quantized(p.distribution) ? " q=" + python_str(p.q) : "");
  }
}

ordered_json diagnostic_json(const sweeps::Diagnostic& d) {
  ordered_json j = {{"message", d.message}};
  j["line"] = d.where.known() ? ordered_json(d.where.line) : ordered_json(nullptr);
  j["column"] = d.where.known() ? ordered_json(d.where.column) : ordered_json(nullptr);
  j["parameter"] = d.parameter.empty() ? ordered_json(nullptr) : ordered_json(d.parameter);
  return j;
}

struct Preview {
  std::optional<uint64_t> trials;
  std::vector<sweeps::Value> configs;
  std::vector<std::vector<std::string>> argvs;
  std::string note;  // why there is no preview, when there is none
};

Preview make_preview(const SweepSpec& spec, uint64_t seed, int count) {
  Preview preview;
  auto method = sweeps::make_search_method(spec, seed);
  if (!method.is_ok()) {
    preview.trials = spec.run_cap ? std::optional<uint64_t>(*spec.run_cap) : std::nullopt;
    preview.note = method.status().message();
    return preview;
  }
  preview.trials = sweeps::planned_trial_count(spec, **method);
  sweeps::CommandContext context{"$LABSWEEP_PARAMS_FILE", [](std::string_view name) {
                                   const char* v = std::getenv(std::string(name).c_str());
                                   return v ? std::optional<std::string>(v) : std::nullopt;
                                 }};
  for (int i = 0; i < count && (!preview.trials || static_cast<uint64_t>(i) < *preview.trials);
       ++i) {
    std::optional<sweeps::Suggestion> s = (*method)->next();
    if (!s) break;
    sweeps::Value config = sweeps::nest_parameters(spec.parameters, s->values);
    preview.argvs.push_back(sweeps::render_command(spec, config, context));
    preview.configs.push_back(std::move(config));
  }
  return preview;
}

std::string trials_text(const std::optional<uint64_t>& trials) {
  return trials ? std::to_string(*trials) : "unbounded";
}

int print_invalid(const ValidateOptions& o, const std::string& text,
                  const sweeps::Diagnostics& diagnostics, std::ostream& out, std::ostream& err,
                  bool err_is_terminal) {
  if (o.json) {
    ordered_json errors = ordered_json::array();
    for (const auto& d : diagnostics.errors()) errors.push_back(diagnostic_json(d));
    ordered_json warnings = ordered_json::array();
    for (const auto& d : diagnostics.warnings()) warnings.push_back(diagnostic_json(d));
    out << ordered_json{{"valid", false}, {"errors", errors}, {"warnings", warnings}}.dump(2)
        << '\n';
    return 2;
  }
  for (const auto& d : diagnostics.all()) {
    err << (err_is_terminal ? sweeps::format_diagnostic_with_source(o.file, text, d)
                            : sweeps::format_diagnostic(o.file, d))
        << '\n';
  }
  return 2;
}

void print_valid_json(const SweepSpec& spec, uint64_t seed, const Preview& preview,
                      const sweeps::Diagnostics& diagnostics, std::ostream& out) {
  ordered_json j = {{"valid", true}, {"method", sweeps::method_name(spec.method)}};
  j["search"] = sweeps::search_method_name(spec);
  j["trials"] = preview.trials ? ordered_json(*preview.trials) : ordered_json(nullptr);
  j["seed"] = seed;
  ordered_json parameters = ordered_json::array();
  for (const Parameter& p : spec.parameters) {
    parameters.push_back({{"name", p.name()},
                          {"distribution", sweeps::distribution_name(p.distribution)},
                          {"summary", summary(p)}});
  }
  j["parameters"] = parameters;
  ordered_json warnings = ordered_json::array();
  for (const auto& d : diagnostics.warnings()) warnings.push_back(diagnostic_json(d));
  j["warnings"] = warnings;
  ordered_json items = ordered_json::array();
  for (size_t i = 0; i < preview.configs.size(); ++i) {
    items.push_back({{"params", to_json(preview.configs[i])}, {"argv", preview.argvs[i]}});
  }
  j["preview"] = items;
  out << j.dump(2) << '\n';
}

// How a shell user would type the argument; display only, since trials never go through a shell.
std::string quote_for_display(const std::string& arg) {
  bool plain =
      !arg.empty() && arg.find_first_of(" \t\n'\"\\$`*?[]{}()<>|&;#~") == std::string::npos;
  if (plain) return arg;
  if (arg.find_first_of("\"\\$`!") == std::string::npos) return '"' + arg + '"';
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_valid_text(const ValidateOptions& o, const SweepSpec& spec, uint64_t seed,
                      const Preview& preview, const sweeps::Diagnostics& diagnostics,
                      std::ostream& out, std::ostream& err) {
  for (const auto& d : diagnostics.warnings()) err << sweeps::format_diagnostic(o.file, d) << '\n';
  out << o.file << ": valid\n\n";
  TextTable facts({"method", std::string(sweeps::search_method_name(spec))});
  facts.add_row({"trials", trials_text(preview.trials)});
  facts.add_row(
      {"seed", std::to_string(seed) + (spec.labsweep.seed ? ""
                                                          : " (the file sets none: "
                                                            "each submission picks one)")});
  if (spec.metric) {
    facts.add_row({"metric", spec.metric->name + (spec.metric->goal == sweeps::Goal::kMaximize
                                                      ? " (maximize)"
                                                      : " (minimize)")});
  }
  out << facts.render("") << '\n';
  TextTable params({"parameter", "distribution", "values"});
  for (const Parameter& p : spec.parameters) {
    params.add_row({p.name(), std::string(sweeps::distribution_name(p.distribution)), summary(p)});
  }
  out << params.render("") << '\n';
  if (!preview.note.empty()) {
    out << "no preview: " << preview.note << '\n';
    return;
  }
  out << "first " << preview.configs.size() << " trial" << (preview.configs.size() == 1 ? "" : "s")
      << ":\n";
  for (size_t i = 0; i < preview.configs.size(); ++i) {
    out << "  " << i << "  " << sweeps::python_str(preview.configs[i]) << "\n     ";
    for (const auto& arg : preview.argvs[i]) out << ' ' << quote_for_display(arg);
    out << '\n';
  }
}

}  // namespace

int run_validate(const ValidateOptions& o, std::ostream& out, std::ostream& err,
                 bool err_is_terminal) {
  std::string text;
  sweeps::ReadResult result = sweeps::read_sweep_file(o.file, &text);
  if (!result.spec) {
    return print_invalid(o, text, result.diagnostics, out, err, err_is_terminal);
  }
  const SweepSpec& spec = *result.spec;
  uint64_t seed = spec.labsweep.seed.value_or(kPreviewSeed);
  Preview preview = make_preview(spec, seed, o.preview);
  if (o.json) {
    print_valid_json(spec, seed, preview, result.diagnostics, out);
  } else {
    print_valid_text(o, spec, seed, preview, result.diagnostics, out, err);
  }
  return 0;
}

void add_validate_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd = app.add_subcommand("validate", "Check a sweep file and preview its trials");
  cmd->add_option("file", options->file, "The sweep file (YAML)")->required();
  cmd->add_flag("--json", options->json, "Print one JSON object instead of text");
  cmd->add_option("--preview", options->preview, "How many trials to preview")
      ->check(CLI::Range(0, 1000));
  cmd->callback([options, &action] {
    action = [options] {
      return run_validate(*options, std::cout, std::cerr, isatty(STDERR_FILENO) != 0);
    };
  });
}

}  // namespace labsweep::cli
