#include "sweeps/sweep_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::errors_of;
using labsweep::testing::valid_spec;
using labsweep::testing::warnings_of;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(SweepReaderTest, ReadsEveryTopLevelKey) {
  SweepSpec spec = valid_spec(
      "method: bayes\n"
      "name: my sweep\n"
      "description: tries things\n"
      "project: p\n"
      "entity: e\n"
      "program: train.py\n"
      "run_cap: 20\n"
      "controller: {type: local}\n"
      "apiVersion: v1\n"
      "kind: sweep\n"
      "metric: {name: val_acc, goal: maximize, target: 0.99, impute: best, "
      "impute_while_running: latest}\n"
      "early_terminate: {type: hyperband, min_iter: 3}\n"
      "command: [python3, '${program}', --fixed, 50, '${args}']\n"
      "parameters:\n"
      "  lr: {min: 0.0001, max: 0.1}\n");
  EXPECT_EQ(spec.method, Method::kBayes);
  EXPECT_EQ(spec.name, "my sweep");
  EXPECT_EQ(spec.description, "tries things");
  EXPECT_EQ(spec.program, "train.py");
  EXPECT_EQ(spec.run_cap, 20);
  ASSERT_TRUE(spec.metric);
  EXPECT_EQ(spec.metric->name, "val_acc");
  EXPECT_EQ(spec.metric->goal, Goal::kMaximize);
  EXPECT_EQ(spec.metric->target, 0.99);
  EXPECT_EQ(spec.metric->impute, "best");
  EXPECT_EQ(spec.metric->impute_while_running, "latest");
  ASSERT_TRUE(spec.early_terminate);
  EXPECT_EQ(spec.command.size(), 5u);
  EXPECT_EQ(spec.command[3], Value(50));
}

TEST(SweepReaderTest, DefaultCommand) {
  SweepSpec spec = valid_spec("method: grid\nprogram: t.py\nparameters: {a: {value: 1}}\n");
  EXPECT_EQ(spec.command, (List{Value("${env}"), Value("${interpreter}"), Value("${program}"),
                                Value("${args}")}));
}

TEST(SweepReaderTest, UnknownTopLevelKeys) {
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nparameter: {a: {value: 1}}\n"),
              ElementsAre("3:1: Additional properties are not allowed ('parameter' was "
                          "unexpected) (did you mean 'parameters'?)",
                          "1:1: 'parameters' is a required property"));
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\ntune: {}\nparameters: {a: {value: 1}}\n"),
              ElementsAre("3:1: Additional properties are not allowed ('tune' was unexpected)"));
}

TEST(SweepReaderTest, MethodIsRequired) {
  EXPECT_THAT(errors_of("program: t.py\nparameters: {a: {value: 1}}\n"),
              ElementsAre("1:1: 'method' is a required property"));
  EXPECT_THAT(errors_of("method: gird\nprogram: t.py\nparameters: {a: {value: 1}}\n"),
              ElementsAre("1:9: 'gird' is not one of ['bayes', 'random', 'grid', 'custom'] (did "
                          "you mean 'grid'?)"));
}

TEST(SweepReaderTest, MetricChecks) {
  const std::string tail = "program: t.py\nparameters: {a: {min: 0.0, max: 1.0}}\n";
  EXPECT_THAT(errors_of("method: random\nmetric: {goal: maximise}\n" + tail),
              ElementsAre("2:9: metric: 'name' is a required property and must be a non-empty "
                          "string",
                          "2:16: metric.goal: 'maximise' is not one of ['minimize', 'maximize']"));
  EXPECT_THAT(errors_of("method: random\nmetric: loss\n" + tail),
              ElementsAre("2:9: invalid type for metric: expected dict, got string"));
  EXPECT_THAT(errors_of("method: random\nmetric: {name: l, goals: min}\n" + tail),
              ElementsAre("2:19: metric: Additional properties are not allowed ('goals' was "
                          "unexpected) (did you mean 'goal'?)"));
  EXPECT_THAT(errors_of("method: random\nmetric: {name: l, impute: mean}\n" + tail),
              ElementsAre("2:27: metric.impute: 'mean' is not one of ['latest', 'best', 'worst']"));
  EXPECT_EQ(valid_spec("method: random\nmetric: {name: l, impute_while_running: false}\n" + tail)
                .metric->impute_while_running,
            "false");
}

TEST(SweepReaderTest, BayesNeedsAMetricAndASearchableParameter) {
  EXPECT_THAT(errors_of("method: bayes\nprogram: t.py\nparameters: {a: {min: 0.0, max: 1.0}}\n"),
              ElementsAre("1:9: Bayesian search requires \"metric\" section"));
  EXPECT_THAT(errors_of("method: bayes\nmetric: {name: l}\nprogram: t.py\nparameters: {a: {value: "
                        "1}}\n"),
              ElementsAre("1:9: Need at least one searchable parameter for bayes search."));
}

TEST(SweepReaderTest, OnlyTpeOfLabsweepsSearchesNeedsAMetric) {
  const std::string tail = "program: t.py\nparameters: {a: {min: 0.0, max: 1.0}}\n";
  EXPECT_THAT(errors_of("method: custom\nlabsweep: {search: tpe}\n" + tail),
              ElementsAre("2:20: labsweep.search: tpe learns from the metric and requires "
                          "\"metric\" section"));
  EXPECT_EQ(valid_spec("method: custom\nlabsweep: {search: sobol}\n" + tail).labsweep.search,
            "sobol");
  EXPECT_EQ(valid_spec("method: random\nlabsweep: {search: sobol}\n" + tail).metric, std::nullopt);
  // A bayes method keeps W&B's rule whatever labsweep.search says, and says it once.
  EXPECT_THAT(errors_of("method: bayes\nlabsweep: {search: tpe}\n" + tail),
              ElementsAre("1:9: Bayesian search requires \"metric\" section"));
  valid_spec("method: custom\nmetric: {name: l}\nlabsweep: {search: tpe}\n" + tail);
}

TEST(SweepReaderTest, EarlyTerminateNeedsAMetric) {
  EXPECT_THAT(errors_of("method: random\nearly_terminate: {type: hyperband, min_iter: 3}\n"
                        "program: t.py\nparameters: {a: {min: 0.0, max: 1.0}}\n"),
              ElementsAre("2:18: early terminate requires \"metric\" section"));
}

TEST(SweepReaderTest, ProgramIsRequiredByTheDefaultCommand) {
  EXPECT_THAT(errors_of("method: grid\nparameters: {a: {value: 1}}\n"),
              ElementsAre("1:1: 'program' is required: the command uses ${program} (W&B's default "
                          "command)"));
  // A command without ${program} needs none (W&B relies on wandb.config then).
  valid_spec("method: grid\ncommand: [python, train.py]\nparameters: {a: {value: 1}}\n");
}

TEST(SweepReaderTest, CommandAndRunCapShapes) {
  EXPECT_THAT(errors_of("method: grid\ncommand: python train.py\nparameters: {a: {value: 1}}\n"),
              ElementsAre("2:10: command must be a non-empty list of arguments, not 'python "
                          "train.py'"));
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nrun_cap: 0\nparameters: {a: {value: 1}}\n"),
              ElementsAre("3:10: run_cap: 0 must be an integer greater than 0"));
}

TEST(SweepReaderTest, GridRejectsContinuousParameters) {
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nparameters:\n  lr: {min: 0.1, max: 1.0}\n"),
              ElementsAre("4:3: Parameter lr is a disallowed type with grid search. Grid search "
                          "requires all parameters to be categorical, constant, int_uniform, or "
                          "q_uniform. Specification of probabilities for categorical parameters "
                          "is disallowed in grid search"));
}

TEST(SweepReaderTest, CustomMethodNeedsALabsweepSearch) {
  EXPECT_THAT(errors_of("method: custom\nprogram: t.py\nparameters: {a: {value: 1}}\n"),
              ElementsAre("1:9: method 'custom' needs a custom W&B Launch scheduler; with "
                          "labsweep, name a search method in labsweep.search (tpe or sobol)"));
}

TEST(SweepReaderTest, LaunchOnlyKeys) {
  EXPECT_THAT(warnings_of("method: grid\nprogram: t.py\nscheduler: {engine: optuna}\n"
                          "parameters: {a: {value: 1}}\n"),
              ElementsAre("3:1: scheduler configures W&B Launch's schedulers; labsweep ignores "
                          "it (see labsweep.search)"));
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\ncontroller: {type: remote}\n"
                        "parameters: {a: {value: 1}}\n"),
              ElementsAre("3:13: controller: 'type' is required and must be 'local' or 'cloud'"));
}

TEST(SweepReaderTest, ReportsErrorsOfEverySectionAtOnce) {
  auto errors = errors_of(
      "method: grd\nrun_cap: -1\nmetric: {}\nparameters:\n  a: {min: 1, "
      "max: 0}\n  b: {values: []}\nlabsweep: {max_concurrent: 0}\n");
  EXPECT_EQ(errors.size(), 6u) << ::testing::PrintToString(errors);
}

TEST(SweepReaderTest, UnreadableFile) {
  ReadResult r = read_sweep_file("/nonexistent/sweep.yaml");
  EXPECT_FALSE(r.spec);
  EXPECT_THAT(labsweep::testing::rendered(r.diagnostics, Severity::kError),
              ElementsAre("Couldn't open sweep file: /nonexistent/sweep.yaml"));
}

TEST(SweepReaderTest, DirectoryInsteadOfAFile) {
  ReadResult r = read_sweep_file("/tmp");
  EXPECT_FALSE(r.spec);
  EXPECT_THAT(labsweep::testing::rendered(r.diagnostics, Severity::kError),
              ElementsAre("Couldn't open sweep file: /tmp is a directory"));
}

TEST(SweepReaderTest, AValidFileHasNoWarnings) {
  EXPECT_THAT(warnings_of("method: grid\nprogram: t.py\nparameters: {a: {values: [1.0e-5]}}\n"),
              IsEmpty());
}

}  // namespace
}  // namespace labsweep::sweeps
