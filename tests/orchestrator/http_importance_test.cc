// GET /sweeps/{id}/importance: which parameters matter, from the finished trials, and the
// queries it refuses.

#include <gmock/gmock.h>

#include <cmath>
#include <random>
#include <string>

#include "store/trial_status.h"
#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kSpec = R"(method: random
program: train.py
metric:
  name: loss
  goal: minimize
parameters:
  lr:
    distribution: log_uniform_values
    min: 0.0001
    max: 0.1
  opt:
    values: [sgd, adam]
  dropout:
    min: 0.0
    max: 0.5
  epochs:
    value: 3
)";

class HttpImportanceTest : public HttpApiTest {
 protected:
  // A finished trial whose loss falls with log(lr) and whose acc rises with dropout.
  store::TrialId add_finished(int index, double lr, const std::string& opt, double dropout,
                              store::TrialStatus status = store::TrialStatus::kCompleted) {
    json params{{"dropout", dropout}, {"epochs", 3}, {"lr", lr}, {"opt", opt}};
    store::TrialId trial = add_trial(sweep_, index, params.dump());
    add_points(trial, "loss", {{0, 5.0}, {1, -std::log10(lr) + 0.05 * dropout}});
    add_points(trial, "acc", {{0, dropout}});
    write(store::FinishTrial{.trial = trial, .status = status, .finished_ms = 9000});
    return trial;
  }
  void add_finished_trials(int n, uint64_t seed = 3) {
    std::mt19937_64 gen(seed);
    std::uniform_real_distribution<double> exponent(-4, -1), unit(0, 0.5);
    for (int i = 0; i < n; ++i) {
      add_finished(next_index_++, std::pow(10.0, exponent(gen)), i % 2 ? "adam" : "sgd", unit(gen));
    }
  }
  std::string path(const std::string& query = "") const {
    return "/api/v1/sweeps/" + std::to_string(sweep_.value) + "/importance" +
           (query.empty() ? "" : "?" + query);
  }

  void SetUp() override {
    HttpApiTest::SetUp();
    sweep_ = add_sweep(kSpec, "importance");
  }

  store::SweepId sweep_;
  int next_index_ = 0;
};

TEST_F(HttpImportanceTest, RanksTheParameterTheMetricDependsOnFirst) {
  add_finished_trials(30);
  Reply reply = get(path());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["metric"], "loss");
  EXPECT_EQ(reply.body["goal"], "minimize");
  EXPECT_EQ(reply.body["trials_used"], 30);
  EXPECT_EQ(reply.body["reason"], nullptr);
  EXPECT_GT(reply.body["explained"].get<double>(), 0.5);
  const json& parameters = reply.body["parameters"];
  ASSERT_EQ(parameters.size(), 3u) << reply.raw;  // epochs is a constant
  EXPECT_EQ(parameters[0]["name"], "lr");
  EXPECT_GT(parameters[0]["importance"].get<double>(), 0.8);
  EXPECT_LT(parameters[0]["correlation"].get<double>(), -0.9);  // higher lr, lower loss
  double total = 0;
  for (const json& p : parameters) {
    total += p["importance"].get<double>();
    if (p["name"] == "opt") {
      EXPECT_EQ(p["correlation"], nullptr);  // names: no order
    }
  }
  EXPECT_NEAR(total, 1.0, 1e-9);
  EXPECT_EQ(reply.body["space"], json::parse(R"([{"name": "dropout", "scale": "linear"},
                            {"name": "lr", "scale": "log"},
                            {"name": "opt", "scale": "categorical", "values": ["sgd", "adam"]}])"));
}

TEST_F(HttpImportanceTest, UsesCompletedAndStoppedTrialsWithAFiniteValueOnly) {
  add_finished_trials(5);
  add_finished(next_index_++, 0.01, "sgd", 0.1, store::TrialStatus::kStopped);
  add_finished(next_index_++, 0.01, "sgd", 0.1, store::TrialStatus::kFailed);
  add_trial(sweep_, next_index_++, R"({"dropout": 0.1, "epochs": 3, "lr": 0.01, "opt": "sgd"})");
  store::TrialId nan_only = add_trial(sweep_, next_index_++,
                                      R"({"dropout": 0.1, "epochs": 3, "lr": 0.01, "opt": "sgd"})");
  add_points(nan_only, "loss", {{0, std::nan("")}});
  write(store::FinishTrial{.trial = nan_only, .finished_ms = 9000});
  store::TrialId garbled = add_trial(sweep_, next_index_++, "{\"lr\": ");
  add_points(garbled, "loss", {{0, 1.0}});
  write(store::FinishTrial{.trial = garbled, .finished_ms = 9000});

  Reply reply = get(path());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["trials_used"], 6);
}

TEST_F(HttpImportanceTest, FewerThanFiveUsableTrialsGiveAReasonAndNoRanking) {
  add_finished_trials(4);
  Reply reply = get(path());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["trials_used"], 4);
  EXPECT_EQ(reply.body["parameters"], json::array());
  EXPECT_EQ(reply.body["explained"], nullptr);
  EXPECT_EQ(reply.body["reason"],
            "4 trials have a finite value of the metric; importance needs at least 5");
  EXPECT_EQ(reply.body["space"].size(), 3u);
}

TEST_F(HttpImportanceTest, AFinishedTrialIsSeenByTheNextRequest) {
  add_finished_trials(5);
  EXPECT_EQ(get(path()).body["trials_used"], 5);
  EXPECT_EQ(get(path()).body["trials_used"], 5);
  add_finished_trials(1, 99);
  EXPECT_EQ(get(path()).body["trials_used"], 6);
}

TEST_F(HttpImportanceTest, PointsCommittedAfterATrialEndedAreSeen) {
  add_finished_trials(5);
  // Ended before its last points were committed: left out, and the answer is not kept.
  store::TrialId late = add_trial(sweep_, next_index_++,
                                  R"({"dropout": 0.1, "epochs": 3, "lr": 0.01, "opt": "sgd"})");
  write(store::FinishTrial{.trial = late, .finished_ms = 9000});
  EXPECT_EQ(get(path()).body["trials_used"], 5);
  add_points(late, "loss", {{0, 2.0}});
  EXPECT_EQ(get(path()).body["trials_used"], 6);
}

TEST_F(HttpImportanceTest, AnotherMetricAndGoalByQuery) {
  add_finished_trials(30);
  Reply reply = get(path("metric=acc&goal=maximize"));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["metric"], "acc");
  EXPECT_EQ(reply.body["goal"], "maximize");
  EXPECT_EQ(reply.body["parameters"][0]["name"], "dropout");
  EXPECT_GT(reply.body["parameters"][0]["correlation"].get<double>(), 0.99);
  // The sweep's own metric keeps its goal when only the metric is named.
  EXPECT_EQ(get(path("metric=loss")).body["goal"], "minimize");
  EXPECT_EQ(get(path("metric=acc")).body["goal"], "minimize");
  Reply unknown = get(path("metric=nope"));
  ASSERT_EQ(unknown.status, 200);
  EXPECT_EQ(unknown.body["trials_used"], 0);
  EXPECT_THAT(unknown.body["reason"].get<std::string>(), HasSubstr("0 trials"));
}

TEST_F(HttpImportanceTest, ASweepWithoutAMetricNeedsOneNamed) {
  std::string spec(kSpec);
  spec.erase(spec.find("metric:"), spec.find("parameters:") - spec.find("metric:"));
  sweep_ = add_sweep(spec, "no-metric");
  add_finished_trials(6);
  Reply reply = get(path());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["metric"], nullptr);
  EXPECT_EQ(reply.body["reason"], "the sweep has no metric: name one with metric=");
  EXPECT_EQ(get(path("metric=loss")).body["trials_used"], 6);
}

TEST_F(HttpImportanceTest, RefusesMalformedQueriesAndIds) {
  auto error_of = [this](const std::string& target) {
    Reply reply = get(target);
    EXPECT_EQ(reply.status, 400) << target << ": " << reply.raw;
    return reply.body.value("error", std::string());
  };
  EXPECT_THAT(error_of(path("metrc=loss")), HasSubstr("metrc"));
  EXPECT_THAT(error_of(path("metric=loss&metric=acc")), HasSubstr("metric"));
  EXPECT_THAT(error_of(path("metric=")), HasSubstr("'metric'"));
  EXPECT_THAT(error_of(path("goal=up")), HasSubstr("'goal'"));
  EXPECT_THAT(error_of("/api/v1/sweeps/01/importance"), HasSubstr("sweep id"));
  EXPECT_THAT(error_of("/api/v1/sweeps/x/importance"), HasSubstr("sweep id"));
  EXPECT_EQ(get("/api/v1/sweeps/999/importance").status, 404);
  Reply post_reply = post(path(), "{}");
  EXPECT_EQ(post_reply.status, 405);
  EXPECT_EQ(post_reply.header("Allow"), "GET");
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
