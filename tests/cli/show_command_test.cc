// `labsweep show`, run as a user runs it: the real binary in a child process against the real
// HTTP API on a real store (the API tests' fixture). By default the sweep's 20 best trials,
// `--best N` for another number, `--all` for every trial in id order.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/orchestrator/http_api_fixture.h"
#include "tests/support/subprocess.h"

namespace labsweep::orchestrator::testing {
namespace {

using labsweep::testing::built_binary;
using labsweep::testing::ProcessResult;
using labsweep::testing::run_process;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

class ShowCommandTest : public HttpApiTest {
 protected:
  // 30 trials; trial i's lowest loss is (i * 7 % 30) / 100, so the ranking is not the id order;
  // the last two report nothing.
  void SetUp() override {
    HttpApiTest::SetUp();
    sweep_ = add_sweep();
    for (int i = 0; i < 30; ++i) {
      store::TrialId trial = add_trial(sweep_, i, "{\"i\": " + std::to_string(i) + "}");
      trials_.push_back(trial.value);
      if (i < 28) add_points(trial, "loss", {{0, 1.0}, {1, (i * 7 % 30) / 100.0}});
    }
  }

  ProcessResult show(std::vector<std::string> args) {
    args.insert(args.begin(), {built_binary("labsweep"), "show", std::to_string(sweep_.value),
                               "--url", "http://127.0.0.1:" + std::to_string(port_)});
    return run_process(args);
  }

  // The trial ids of `show --json`, in the order shown.
  std::vector<int64_t> shown_ids(std::vector<std::string> args) {
    args.push_back("--json");
    ProcessResult r = show(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    json body = json::parse(r.out, nullptr, false);
    std::vector<int64_t> ids;
    if (body.is_discarded()) {
      ADD_FAILURE() << "not JSON: " << r.out;
      return ids;
    }
    for (const json& trial : body["trials"]) ids.push_back(trial["id"].get<int64_t>());
    return ids;
  }

  // The ranking show should print: by lowest loss, ties by id, then those without a value.
  std::vector<int64_t> ranked(size_t count) const {
    std::vector<int> order(28);
    for (int i = 0; i < 28; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [](int a, int b) { return a * 7 % 30 < b * 7 % 30; });
    order.push_back(28);
    order.push_back(29);
    std::vector<int64_t> ids;
    for (size_t i = 0; i < count && i < order.size(); ++i) ids.push_back(trials_[order[i]]);
    return ids;
  }

  store::SweepId sweep_;
  std::vector<int64_t> trials_;
};

TEST_F(ShowCommandTest, ByDefaultShowsTheTwentyBestTrialsAndSaysWhatIsLeftOut) {
  EXPECT_THAT(shown_ids({}), ElementsAreArray(ranked(20)));
  ProcessResult r = show({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("sweep " + std::to_string(sweep_.value) + "  grid"));
  EXPECT_THAT(r.out, HasSubstr("best loss 0 (trial " + std::to_string(trials_[0]) + ")"));
  EXPECT_THAT(r.out, HasSubstr("the best 20 of 30 trials by loss; --best N for more, --all"));
  EXPECT_THAT(r.out, HasSubstr("i=0")) << "the best trial's params are in the table";
}

TEST_F(ShowCommandTest, BestNShowsThatMany) {
  EXPECT_THAT(shown_ids({"--best", "3"}), ElementsAreArray(ranked(3)));
  EXPECT_THAT(shown_ids({"--best", "29"}), ElementsAreArray(ranked(29)));
  EXPECT_THAT(shown_ids({"--best", "500"}), ElementsAreArray(ranked(30)));
  ProcessResult r = show({"--best", "30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("--all for every trial")));
}

TEST_F(ShowCommandTest, AllShowsEveryTrialInIdOrder) {
  EXPECT_THAT(shown_ids({"--all"}), ElementsAreArray(trials_));
  ProcessResult r = show({"--all"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("--all for every trial")));
}

TEST_F(ShowCommandTest, RefusesAZeroCountAndBestWithAll) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--best", "0"}, {"--best", "3", "--all"}}) {
    ProcessResult r = show(args);
    EXPECT_NE(r.exit_code, 0) << args[0];
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST_F(ShowCommandTest, AnUnknownSweepFails) {
  sweep_ = store::SweepId{99};
  ProcessResult r = show({});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("sweep 99 does not exist"));
}

TEST_F(ShowCommandTest, WarnsWhenEndedTrialsNeverReportedTheMetric) {
  ProcessResult reported = show({});
  EXPECT_THAT(reported.out, Not(HasSubstr("warning")));

  store::SweepId other = add_sweep(kGridSpec, "misspelt");
  for (int i = 0; i < 2; ++i) {
    store::TrialId trial = add_trial(other, i);
    add_points(trial, "los", {{0, 1.0}});
    write(store::FinishTrial{
        .trial = trial, .status = store::TrialStatus::kCompleted, .finished_ms = 9000});
  }
  sweep_ = other;
  ProcessResult r = show({});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("warning  2 trials ended and none reported loss"));
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
