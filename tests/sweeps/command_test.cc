#include "sweeps/command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sweeps/trial_params.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::valid_spec;
using ::testing::ElementsAre;

struct Rendered {
  SweepSpec spec;
  std::vector<std::string> argv;
};

// Renders the first grid point of a sweep whose parameters are all constants.
std::vector<std::string> render(const std::string& command, const std::string& parameters,
                                std::map<std::string, std::string> env = {}) {
  SweepSpec spec =
      valid_spec("method: grid\nprogram: train.py\n" + command + "parameters:\n" + parameters);
  std::vector<Value> values;
  for (const Parameter& p : spec.parameters) values.push_back(p.value);
  CommandContext context{"/trials/7/params.json", [env](std::string_view name) {
                           auto it = env.find(std::string(name));
                           return it == env.end() ? std::nullopt
                                                  : std::optional<std::string>(it->second);
                         }};
  return render_command(spec, nest_parameters(spec.parameters, values), context);
}

const std::string kParams =
    "  lr: {value: 1.0e-5}\n"
    "  batch: {value: 32}\n"
    "  flag: {value: true}\n"
    "  off: {value: false}\n"
    "  name: {value: 'two words'}\n"
    "  none: {value: null}\n";

TEST(CommandTest, DefaultCommandRendersArgsSortedWithPythonStr) {
  EXPECT_THAT(render("", kParams),
              ElementsAre("/usr/bin/env", "python", "train.py", "--batch=32", "--flag=True",
                          "--lr=1e-05", "--name=two words", "--none=None", "--off=False"));
}

TEST(CommandTest, ArgsNoHyphens) {
  EXPECT_THAT(render("command: ['${program}', '${args_no_hyphens}']\n", "  a.b: {value: 3.0}\n"),
              ElementsAre("train.py", "a.b=3.0"));
}

TEST(CommandTest, ArgsNoEquals) {
  EXPECT_THAT(render("command: ['${args_no_equals}']\n", "  lr: {value: 0.1}\n  n: {value: 2}\n"),
              ElementsAre("--lr", "0.1", "--n", "2"));
}

TEST(CommandTest, ArgsNoBooleanFlags) {
  EXPECT_THAT(render("command: ['${args_no_boolean_flags}']\n", kParams),
              ElementsAre("--batch=32", "--flag", "--lr=1e-05", "--name=two words", "--none=None"));
}

TEST(CommandTest, ArgsJson) {
  EXPECT_THAT(render("command: [run, '${args_json}']\n",
                     "  lr: {value: 0.001}\n  b: {value: [1, x]}\n  c: {value: .nan}\n"
                     "  d: {value: caf\xC3\xA9}\n"),
              ElementsAre("run",
                          "{\"b\": [1, \"x\"], \"c\": NaN, \"d\": \"caf\\u00e9\", "
                          "\"lr\": 0.001}"));
}

TEST(CommandTest, ArgsJsonFileIsTheParamsFile) {
  EXPECT_THAT(
      render("command: ['${program}', --config, '${args_json_file}']\n", "  a: {value: 1}\n"),
      ElementsAre("train.py", "--config", "/trials/7/params.json"));
}

TEST(CommandTest, EnvvarExpandsInsideTokens) {
  EXPECT_THAT(render("command: ['--data=${envvar:DATA_DIR}/x', '${envvar:MISSING}', "
                     "'${envvar:lower}']\n",
                     "  a: {value: 1}\n", {{"DATA_DIR", "/data"}}),
              ElementsAre("--data=/data/x", "MISSING"));
}

TEST(CommandTest, UnknownMacrosVanishAndEmbeddedOnesStayLiteral) {
  EXPECT_THAT(render("command: [python, '${project}', '--lr=${lr}', '${foo}', train.py]\n",
                     "  lr: {value: 1}\n"),
              ElementsAre("python", "--lr=${lr}", "train.py"));
}

TEST(CommandTest, NonStringElementsAreStringified) {
  EXPECT_THAT(render("command: [torchrun, --nproc, 4, true, null, 2.50, '${program}']\n",
                     "  a: {value: 1}\n"),
              ElementsAre("torchrun", "--nproc", "4", "True", "None", "2.5", "train.py"));
}

TEST(CommandTest, NoShellNoSplitting) {
  EXPECT_THAT(render("command: ['python3.8 train.py', '$(rm -rf /)', '${args}']\n",
                     "  a: {value: '; echo hi'}\n"),
              ElementsAre("python3.8 train.py", "$(rm -rf /)", "--a=; echo hi"));
}

TEST(CommandTest, NestedParametersRenderAsPythonDicts) {
  EXPECT_THAT(render("command: ['${args}']\n",
                     "  optimizer:\n    parameters:\n      lr: {value: 0.001}\n"
                     "      nadam:\n        parameters:\n          beta: {value: 0.9}\n"
                     "  batch_size: {value: 32}\n"),
              ElementsAre("--batch_size=32", "--optimizer={'lr': 0.001, 'nadam': {'beta': 0.9}}"));
}

TEST(CommandTest, ListAndDictValues) {
  EXPECT_THAT(render("command: ['${args}']\n",
                     "  layers: {value: [64, 'a', 1.0e-5, null, true]}\n  d: {value: {x: 'y'}}\n"),
              ElementsAre("--d={'x': 'y'}", "--layers=[64, 'a', 1e-05, None, True]"));
}

}  // namespace
}  // namespace labsweep::sweeps
