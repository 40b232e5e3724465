#include "orchestrator/trial_config.h"

#include <gmock/gmock.h>

#include "tests/support/sweep_text.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;

TEST(TrialConfigTest, ParamsJsonRoundTripsIntoTheSameArgv) {
  sweeps::SweepSpec spec = testing::valid_spec(
      "method: grid\ncommand:\n  - run\n  - ${args}\n  - ${args_json_file}\n"
      "parameters:\n  lr:\n    value: 3.0\n  n:\n    value: 2\n  name:\n    value: \"é\"\n"
      "  opt:\n    parameters:\n      beta:\n        value: 0.9\n");
  auto method = sweeps::make_search_method(spec, 1);
  ASSERT_TRUE(method);
  auto suggestion = (*method)->next();
  ASSERT_TRUE(suggestion);
  std::string json = params_json(spec, *suggestion);
  EXPECT_EQ(json, R"({"lr": 3.0, "n": 2, "name": "\u00e9", "opt": {"beta": 0.9}})");
  auto argv = trial_argv(spec, json, {});
  ASSERT_TRUE(argv);
  EXPECT_THAT(*argv, ElementsAre("run", "--lr=3.0", "--n=2", "--name=é", "--opt={'beta': 0.9}",
                                 "params.json"));
}

TEST(TrialConfigTest, MalformedParamsAreAnError) {
  sweeps::SweepSpec spec = testing::valid_spec(
      "method: grid\ncommand:\n  - run\n  - ${args}\nparameters:\n  a:\n    value: 1\n");
  for (std::string_view bad : {"", "[1]", "{\"a\":", "nope", "{\"a\": 1} x"}) {
    auto argv = trial_argv(spec, bad, {});
    EXPECT_FALSE(argv) << bad;
  }
}

TEST(TrialConfigTest, ValuesReadBackAreTheSuggestionsValues) {
  sweeps::SweepSpec spec = testing::valid_spec(
      "method: random\ncommand:\n  - run\nparameters:\n  lr:\n    min: 0.0\n    max: 1.0\n"
      "  n:\n    values: [1, 2.0, true, x]\n  opt:\n    parameters:\n      beta:\n"
      "        min: 1\n        max: 9\n");
  auto method = sweeps::make_search_method(spec, 7);
  ASSERT_TRUE(method);
  for (int i = 0; i < 20; ++i) {
    auto suggestion = (*method)->next();
    ASSERT_TRUE(suggestion);
    auto values = trial_values(spec, params_json(spec, *suggestion));
    ASSERT_TRUE(values) << values.status().message();
    EXPECT_EQ(*values, suggestion->values);
  }
}

TEST(TrialConfigTest, ValuesOfMalformedOrIncompleteParamsAreAnError) {
  sweeps::SweepSpec spec = testing::valid_spec(
      "method: grid\ncommand:\n  - run\nparameters:\n  a:\n    value: 1\n  g:\n"
      "    parameters:\n      b:\n        value: 2\n");
  for (std::string_view bad : {"", "[1]", "{\"a\":", "{\"a\": 1}", "{\"a\": 1, \"g\": 3}",
                               "{\"a\": 1, \"g\": {\"c\": 2}}"}) {
    auto values = trial_values(spec, bad);
    EXPECT_FALSE(values) << bad;
  }
  auto values = trial_values(spec, R"({"a": 1, "g": {"b": 2}})");
  ASSERT_TRUE(values);
  EXPECT_THAT(*values, ElementsAre(sweeps::Value(int64_t{1}), sweeps::Value(int64_t{2})));
}

}  // namespace
}  // namespace labsweep::orchestrator
