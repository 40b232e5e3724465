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

}  // namespace
}  // namespace labsweep::orchestrator
