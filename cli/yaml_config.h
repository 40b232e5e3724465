#pragma once

// Configuration files for `labsweep server` and `labsweep agent` (docs/deployment.md,
// "Configuration files"): a YAML mapping whose keys are the commands' long option names without
// their dashes (`http-port: 8080`, `gpus: [0, 2]`, `no-cgroups: true`). A value given on the
// command line wins over the file's.
//
// YamlConfig is a CLI11 config reader and writer. CLI11 2.1 reads config files for the top-level
// app only, so add_yaml_config() gives a subcommand its own `--config FILE` and applies the file
// when the subcommand's arguments have been parsed, the way CLI11 applies a top-level file, with
// errors that name the file, line, column and key. Errors are thrown as CLI::ConfigError, which
// CLI11_PARSE prints.

#include <CLI/CLI.hpp>
#include <istream>
#include <string>
#include <vector>

namespace labsweep::cli {

// One setting of a configuration file, with where its value is.
struct YamlConfigItem {
  CLI::ConfigItem item;  // name and inputs (a list's elements, or the one scalar)
  bool is_list = false;  // the value was a YAML sequence
  int line = 0;          // 1-based, of the value
  int column = 0;
};

class YamlConfig final : public CLI::Config {
 public:
  // Writes the options of `app` that were given (every configurable one with
  // `default_also`) as a YAML mapping.
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  // Reads a YAML mapping of option names to scalars or lists of scalars; throws
  // CLI::ConfigError on anything else.
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;

  // As from_config, with each value's place; `file_name` starts every error message.
  static std::vector<YamlConfigItem> read(std::istream& input, const std::string& file_name);
};

// A setting to write: the option's name, its values (one for a scalar), and whether it is a
// flag (written true or false).
struct YamlSetting {
  std::string name;
  std::vector<std::string> values;
  bool is_flag = false;
};

// The configurable options of `app` that were given, in the order they were added (with
// `default_also`, also the others that have a default).
std::vector<YamlSetting> given_settings(const CLI::App& app, bool default_also = false);

// `settings` as a YAML mapping, in order, after `header` (comment lines, each starting "# ").
std::string yaml_config_text(const std::vector<YamlSetting>& settings, const std::string& header);

// Adds `--config FILE` to `command` and applies that file to its options once its arguments are
// parsed (not when one of its own subcommands was given). Without --config, `default_path` is
// read when it exists and can be read (the service passes --config anyway). `command` must
// outlive the parse. CLI11 checks the command's requirements between options (`needs`,
// `required`) on the command line alone before the file is applied, and again after: an option on
// the command line that needs another must find it there, not in the file.
void add_yaml_config(CLI::App& command, const std::string& default_path);

// Sets every option of `command` that the command line left empty from the settings in `file`;
// throws CLI::ConfigError naming file:line:column and the key for an unknown key, a flag whose
// value is not true or false, a list for an option that takes one value, or a value the option
// refuses. For add_yaml_config, and for reading a configuration file into a scratch command.
void apply_yaml_config(CLI::App& command, const std::string& file);

}  // namespace labsweep::cli
