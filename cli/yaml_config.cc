#include "cli/yaml_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>

#include "sweeps/did_you_mean.h"

namespace labsweep::cli {
namespace {

std::string place(const std::string& file, const YAML::Mark& mark) {
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string place(const std::string& file, const YamlConfigItem& item) {
  return file + ":" + std::to_string(item.line) + ":" + std::to_string(item.column);
}

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw CLI::ConfigError(where + ": " + message);
}

// A list element's text: a plain value, not a null, a list or a mapping.
std::string scalar_text(const YAML::Node& value, const std::string& file, const std::string& key) {
  if (!value.IsScalar()) {
    fail(place(file, value.Mark()), "'" + key + "': a list may hold only plain values");
  }
  return value.Scalar();
}

YamlConfigItem read_item(const YAML::Node& key, const YAML::Node& value, const std::string& file) {
  if (!key.IsScalar()) fail(place(file, key.Mark()), "a key must be an option's name");
  YamlConfigItem out;
  out.item.name = key.Scalar();
  // A null value has no mark of its own: point at the key then.
  const YAML::Mark mark = value.IsNull() ? key.Mark() : value.Mark();
  out.line = mark.line + 1;
  out.column = mark.column + 1;
  if (value.IsMap()) {
    fail(place(file, mark),
         "'" + out.item.name + "' holds a mapping, but options take a value or a list of values");
  }
  if (value.IsNull()) fail(place(file, mark), "'" + out.item.name + "' has no value");
  if (value.IsSequence()) {
    out.is_list = true;
    for (const YAML::Node& element : value)
      out.item.inputs.push_back(scalar_text(element, file, out.item.name));
  } else {
    out.item.inputs.push_back(value.Scalar());
  }
  return out;
}

// The option `name` names: a long name of a non-positional option, nothing else.
CLI::Option* find_option(CLI::App& command, const std::string& name) {
  for (CLI::Option* option : command.get_options()) {
    if (option->nonpositional() && option->check_lname(name)) return option;
  }
  return nullptr;
}

std::string unknown_key(CLI::App& command, const std::string& name) {
  std::vector<std::string> names;
  for (CLI::Option* option : command.get_options()) {
    if (option->get_configurable() && option != command.get_config_ptr()) {
      for (const std::string& lname : option->get_lnames()) names.push_back(lname);
    }
  }
  std::vector<std::string_view> views(names.begin(), names.end());
  return "unknown option '" + name + "'" + sweeps::did_you_mean(name, views) +
         "; the keys are `labsweep " + command.get_name() + "` options without their dashes";
}

// As CLI11 tells a flag in a config file: it expects no value.
bool is_flag(const CLI::Option& option) { return option.get_expected_min() == 0; }

// A YAML boolean (true/false, yes/no, on/off) as "true" or "false".
std::optional<std::string> boolean_text(const std::string& scalar) {
  YAML::Node node(scalar);
  bool value = false;
  if (!YAML::convert<bool>::decode(node, value)) return std::nullopt;
  return value ? "true" : "false";
}

// The strings CLI11 would have been given on the command line for `setting`.
std::vector<std::string> inputs_for(const CLI::Option& option, const YamlConfigItem& setting,
                                    const std::string& file) {
  const std::string& name = setting.item.name;
  if (is_flag(option)) {
    std::optional<std::string> value;
    if (!setting.is_list) value = boolean_text(setting.item.inputs.front());
    if (!value) fail(place(file, setting), "'" + name + "' is a flag: its value is true or false");
    return {*value};
  }
  if (setting.is_list && option.get_items_expected_max() <= 1) {
    // `gpus: [0, 2]` is `--gpus 0,2`.
    std::string joined;
    for (const std::string& input : setting.item.inputs)
      joined += (joined.empty() ? "" : ",") + input;
    return {joined};
  }
  return setting.item.inputs;
}

void apply_setting(CLI::App& command, const YamlConfigItem& setting, const std::string& file) {
  const std::string& name = setting.item.name;
  CLI::Option* option = find_option(command, name);
  if (option == nullptr) fail(place(file, setting), unknown_key(command, name));
  if (!option->get_configurable() || option == command.get_config_ptr()) {
    fail(place(file, setting), "'" + name + "' cannot be set in a configuration file");
  }
  std::vector<std::string> inputs = inputs_for(*option, setting, file);
  if (!option->empty()) return;  // the command line wins
  try {
    option->add_result(inputs);
    option->run_callback();
  } catch (const CLI::ParseError& e) {
    option->clear();
    fail(place(file, setting), "'" + name + "': " + e.what());
  }
}

void write_value(YAML::Emitter& out, const YamlSetting& setting) {
  if (setting.is_flag) {
    out << (!setting.values.empty() && boolean_text(setting.values.back()) == "false" ? false
                                                                                      : true);
  } else if (setting.values.size() == 1) {
    out << setting.values.front();
  } else {
    out << YAML::Flow << YAML::BeginSeq;
    for (const std::string& value : setting.values) out << value;
    out << YAML::EndSeq;
  }
}

}  // namespace

std::vector<YamlConfigItem> YamlConfig::read(std::istream& input, const std::string& file_name) {
  YAML::Node root;
  try {
    root = YAML::Load(input);
  } catch (const YAML::Exception& e) {
    fail(place(file_name, e.mark), "not valid YAML: " + e.msg);
  }
  std::vector<YamlConfigItem> items;
  if (root.IsNull()) return items;  // empty, or comments only
  if (!root.IsMap()) {
    fail(place(file_name, root.Mark()),
         "expected a mapping of option names to values (`http-port: 8080`)");
  }
  std::map<std::string, int> first_line;
  for (const auto& entry : root) {
    YamlConfigItem item = read_item(entry.first, entry.second, file_name);
    auto [seen, fresh] = first_line.emplace(item.item.name, item.line);
    if (!fresh) {
      fail(place(file_name, entry.first.Mark()), "'" + item.item.name +
                                                     "' is set twice (first on line " +
                                                     std::to_string(seen->second) + ")");
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<CLI::ConfigItem> YamlConfig::from_config(std::istream& input) const {
  std::vector<CLI::ConfigItem> items;
  for (YamlConfigItem& item : read(input, "<config>")) items.push_back(std::move(item.item));
  return items;
}

std::string YamlConfig::to_config(const CLI::App* app, bool default_also,
                                  bool /*write_description*/, std::string /*prefix*/) const {
  return yaml_config_text(given_settings(*app, default_also), "");
}

std::vector<YamlSetting> given_settings(const CLI::App& app, bool default_also) {
  std::vector<YamlSetting> settings;
  for (const CLI::Option* option : app.get_options()) {
    if (!option->get_configurable() || option == app.get_config_ptr() ||
        option->get_lnames().empty())
      continue;
    YamlSetting setting{option->get_lnames().front(), option->results(), is_flag(*option)};
    if (setting.values.empty() && default_also && !option->get_default_str().empty())
      setting.values = {option->get_default_str()};
    if (!setting.values.empty()) settings.push_back(std::move(setting));
  }
  return settings;
}

std::string yaml_config_text(const std::vector<YamlSetting>& settings, const std::string& header) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const YamlSetting& setting : settings) {
    out << YAML::Key << setting.name << YAML::Value;
    write_value(out, setting);
  }
  out << YAML::EndMap;
  std::string text = header + (settings.empty() ? "" : out.c_str());
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

void apply_yaml_config(CLI::App& command, const std::string& file) {
  std::ifstream in(file);
  if (!in) throw CLI::ConfigError(file + ": cannot read it: " + std::strerror(errno));
  for (const YamlConfigItem& setting : YamlConfig::read(in, file))
    apply_setting(command, setting, file);
}

void add_yaml_config(CLI::App& command, const std::string& default_path) {
  command.config_formatter(std::make_shared<YamlConfig>());
  // The default only where it can be read: another user's /etc/labsweep is none of our business.
  const bool use_default = ::access(default_path.c_str(), R_OK) == 0;
  command.set_config("--config", use_default ? default_path : "",
                     "Read options from this YAML file, the command line winning (default: " +
                         default_path + " if it exists)");
  command.parse_complete_callback([&command] {
    if (!command.get_subcommands().empty()) return;  // `agent install`, `agent keygen`
    std::string file = command.get_config_ptr()->as<std::string>();
    if (!file.empty()) apply_yaml_config(command, file);
  });
}

}  // namespace labsweep::cli
