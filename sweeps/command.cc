#include "sweeps/command.h"

#include <regex>

#include "sweeps/python_format.h"

namespace labsweep::sweeps {
namespace {

// W&B's agent expands ${envvar:NAME} anywhere inside an element, NAME being upper-case letters,
// digits and _; an unset variable is replaced by its own name, not by nothing.
std::string expand_envvars(const std::string& element, const CommandContext& context) {
  static const std::regex kEnvvar(R"(\$\{envvar:([A-Z0-9_]*)\})");
  std::string out;
  auto begin = std::sregex_iterator(element.begin(), element.end(), kEnvvar);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::smatch& m = *it;
    out.append(element, last, static_cast<size_t>(m.position()) - last);
    std::string name = m[1].str();
    std::optional<std::string> value = context.getenv ? context.getenv(name) : std::nullopt;
    out += value ? *value : name;
    last = static_cast<size_t>(m.position() + m.length());
  }
  out.append(element, last, std::string::npos);
  return out;
}

std::vector<std::string> expand_macro(std::string_view macro, const SweepSpec& spec,
                                      const Value& config, const CommandContext& context) {
  if (macro == "env") return {"/usr/bin/env"};
  if (macro == "interpreter") return {"python"};
  if (macro == "program")
    return spec.program ? std::vector{*spec.program} : std::vector<std::string>{};
  if (macro == "args_json_file") return {context.params_file};
  return render_args_macro(macro, config);  // unknown macros expand to nothing, as in W&B
}

}  // namespace

std::vector<std::string> render_args_macro(std::string_view macro, const Value& config) {
  std::vector<std::string> argv;
  if (macro == "args_json") return {python_json_dumps(config)};
  for (const auto& [name, value] : config.as_map()) {
    std::string text = python_str(value);
    if (macro == "args") {
      argv.push_back("--" + name + "=" + text);
    } else if (macro == "args_no_hyphens") {
      argv.push_back(name + "=" + text);
    } else if (macro == "args_no_equals") {
      argv.push_back("--" + name);
      argv.push_back(text);
    } else if (macro == "args_no_boolean_flags") {
      if (!value.is_bool()) {
        argv.push_back("--" + name + "=" + text);
      } else if (value.as_bool()) {
        argv.push_back("--" + name);
      }
    }
  }
  return argv;
}

std::vector<std::string> render_command(const SweepSpec& spec, const Value& config,
                                        const CommandContext& context) {
  std::vector<std::string> argv;
  for (const Value& element : spec.command) {
    std::string text = expand_envvars(python_str(element), context);
    if (text.size() >= 3 && text.starts_with("${") && text.ends_with("}")) {
      std::vector<std::string> spliced =
          expand_macro(std::string_view(text).substr(2, text.size() - 3), spec, config, context);
      argv.insert(argv.end(), spliced.begin(), spliced.end());
    } else {
      argv.push_back(std::move(text));
    }
  }
  return argv;
}

}  // namespace labsweep::sweeps
