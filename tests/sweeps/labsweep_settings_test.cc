#include "sweeps/labsweep_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::errors_of;
using labsweep::testing::valid_spec;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string with(const std::string& block) {
  return "method: random\nmetric: {name: loss}\nprogram: t.py\nparameters: {a: {min: 0.0, max: "
         "1.0}}\nlabsweep:\n" +
         block;
}

TEST(LabsweepSettingsTest, ReadsEverySetting) {
  SweepSpec spec =
      valid_spec(with("  resources: {gpus: 2}\n"
                      "  max_concurrent: 4\n"
                      "  max_retries: 1\n"
                      "  seed: 42\n"
                      "  stop_grace_s: 5\n"
                      "  kill_delay_s: 2.5\n"
                      "  trial_timeout_s: 3600\n"
                      "  metrics: {stdout_regex: '(\\w+)=([-+.0-9eE]+)'}\n"
                      "  early_stopping: {type: asha, min_resource: 1, max_resource: 81, eta: 3}\n"
                      "  search: tpe\n"));
  const LabsweepSettings& s = spec.labsweep;
  EXPECT_EQ(s.gpus, 2);
  EXPECT_EQ(s.max_concurrent, 4);
  EXPECT_EQ(s.max_retries, 1);
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.stop_grace, std::chrono::seconds(5));
  EXPECT_EQ(s.kill_delay, std::chrono::milliseconds(2500));
  EXPECT_EQ(s.trial_timeout, std::chrono::hours(1));
  EXPECT_EQ(s.stdout_regex, "(\\w+)=([-+.0-9eE]+)");
  ASSERT_EQ(s.early_stopping.size(), 1u);
  EXPECT_EQ(s.early_stopping[0].type, "asha");
  EXPECT_EQ(s.early_stopping[0].resource, "step");
  EXPECT_EQ(s.early_stopping[0].settings.size(), 3u);
  EXPECT_EQ(s.search, "tpe");
}

TEST(LabsweepSettingsTest, Defaults) {
  SweepSpec spec = valid_spec(with("  {}\n"));
  EXPECT_EQ(spec.labsweep.gpus, std::nullopt);
  EXPECT_EQ(spec.labsweep.seed, std::nullopt);
  EXPECT_EQ(spec.labsweep.max_retries, 0);
  EXPECT_EQ(spec.labsweep.stop_grace, std::chrono::seconds(30));
  EXPECT_EQ(spec.labsweep.kill_delay, std::chrono::seconds(30));
}

TEST(LabsweepSettingsTest, SeveralStoppingRules) {
  SweepSpec spec = valid_spec(
      with("  early_stopping:\n"
           "    - {type: threshold, stop_on_nonfinite: true, bound: 2.5, after_step: 3}\n"
           "    - {type: median, warmup_steps: 5, min_trials: 3, resource: epoch, metric: val}\n"));
  ASSERT_EQ(spec.labsweep.early_stopping.size(), 2u);
  EXPECT_EQ(spec.labsweep.early_stopping[1].resource, "epoch");
  EXPECT_EQ(spec.labsweep.early_stopping[1].metric, "val");
}

TEST(LabsweepSettingsTest, UnknownKeysSuggestTheNearestOne) {
  EXPECT_THAT(errors_of(with("  max_concurent: 4\n")),
              ElementsAre("6:3: labsweep: unknown key 'max_concurent' (did you mean "
                          "'max_concurrent'?)"));
  EXPECT_THAT(errors_of(with("  resources: {gpu: 1}\n")),
              ElementsAre("6:15: labsweep.resources: unknown key 'gpu' (did you mean 'gpus'?)"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: asha, min_resorce: 1}\n")),
              ElementsAre("6:32: labsweep.early_stopping.asha: unknown key 'min_resorce' (did you "
                          "mean 'min_resource'?)"));
  EXPECT_THAT(errors_of(with("  colour: red\n")),
              ElementsAre("6:3: labsweep: unknown key 'colour'"));
}

TEST(LabsweepSettingsTest, TypesAndRanges) {
  EXPECT_THAT(errors_of(with("  max_concurrent: 0\n")),
              ElementsAre("6:19: labsweep.max_concurrent must be at least 1, not 0"));
  EXPECT_THAT(errors_of(with("  resources: {gpus: one}\n")),
              ElementsAre("6:21: labsweep.resources.gpus must be an integer, not 'one'"));
  EXPECT_THAT(errors_of(with("  stop_grace_s: -1\n")),
              ElementsAre("6:17: labsweep.stop_grace_s must be at least 0, not -1"));
  EXPECT_THAT(errors_of(with("  trial_timeout_s: 0\n")),
              ElementsAre("6:20: labsweep.trial_timeout_s must be greater than 0, not 0"));
  EXPECT_THAT(errors_of(with("  seed: 1.5\n")),
              ElementsAre("6:9: labsweep.seed must be an integer, not 1.5"));
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nparameters: {a: {value: 1}}\nlabsweep: 3\n"),
              ElementsAre("4:11: labsweep must be a mapping of labsweep's settings"));
}

TEST(LabsweepSettingsTest, StdoutRegex) {
  EXPECT_THAT(errors_of(with("  metrics: {stdout_regex: 'loss=([0-9.]+)'}\n")),
              ElementsAre("6:27: labsweep.metrics.stdout_regex needs two groups: the metric's "
                          "name and its value, as in '(\\w+)=([-+.0-9eE]+)'"));
  auto errors = errors_of(with("  metrics: {stdout_regex: '(unclosed'}\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith("6:27: labsweep.metrics.stdout_regex is not a valid "
                                               "regular expression (RE2 syntax): "));
  // RE2's syntax, as the agent runs it: named groups yes, backreferences and lookahead no.
  EXPECT_THAT(errors_of(with("  metrics: {stdout_regex: '(?P<n>\\w+)=(\\d+)'}\n")), IsEmpty());
  EXPECT_THAT(errors_of(with("  metrics: {stdout_regex: '(\\w+)=(\\1)'}\n")), SizeIs(1));
  EXPECT_THAT(errors_of(with("  metrics: {stdout_regex: '(\\w+)=(?=x)(\\d)'}\n")), SizeIs(1));
}

TEST(LabsweepSettingsTest, StoppingRuleShapes) {
  EXPECT_THAT(errors_of(with("  early_stopping: {type: hyperband}\n")),
              ElementsAre("6:26: labsweep.early_stopping: unknown rule type 'hyperband' "
                          "(hyperband is W&B's: write it under early_terminate)"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: ahsa}\n")),
              ElementsAre("6:26: labsweep.early_stopping: unknown rule type 'ahsa' (did you mean "
                          "'asha'?)"));
  EXPECT_THAT(errors_of(with("  early_stopping: {min_trials: 3}\n")),
              ElementsAre("6:19: labsweep.early_stopping: each rule needs a 'type': median, asha "
                          "or threshold"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: asha, min_resource: 9, max_resource: 3}\n")),
              ElementsAre("6:46: labsweep.early_stopping.asha: min_resource 9 must be less than "
                          "max_resource 3"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: asha, cutoff: ranks}\n")),
              ElementsAre("6:40: labsweep.early_stopping.asha.cutoff must be 'quantile' or "
                          "'rank', not 'ranks' (did you mean 'rank'?)"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: asha, cutoff: 3}\n")),
              ElementsAre("6:40: labsweep.early_stopping.asha.cutoff must be a string, not 3"));
  EXPECT_THAT(errors_of(with("  early_stopping: {type: asha, eta: 1}\n")),
              ElementsAre("6:37: labsweep.early_stopping.asha.eta must be at least 2, not 1"));
}

TEST(LabsweepSettingsTest, SearchMethods) {
  EXPECT_THAT(errors_of(with("  search: optuna\n")),
              ElementsAre("6:11: labsweep.search: unknown search method 'optuna'; labsweep adds "
                          "'tpe' and 'sobol' to W&B's methods"));
  EXPECT_EQ(valid_spec(with("  search: sobol\n")).labsweep.search, "sobol");
}

TEST(LabsweepSettingsTest, RulesNeedAMetric) {
  EXPECT_THAT(errors_of("method: random\nprogram: t.py\nparameters: {a: {min: 0.0, max: 1.0}}\n"
                        "labsweep: {early_stopping: {type: median}}\n"),
              ElementsAre("4:11: early terminate requires \"metric\" section"));
}

}  // namespace
}  // namespace labsweep::sweeps
