// Early stopping in the core: a running trial's reports go to its sweep's stopping rule as they
// arrive, once each; a stop verdict stops the trial with the rule's reason, answers its Decide
// queries, and is rebuilt from the store after a restart.

#include <gmock/gmock.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// What one rule instance was told, in order: "report T loss@S" and "ended T".
struct RuleLog {
  std::vector<std::string> calls;
};

// A threshold rule on `loss`: a report at or above the limit (or NaN) stops its trial. Small
// enough that each test's expectations are computed by hand.
class ThresholdDouble final : public sweeps::StoppingRule {
 public:
  ThresholdDouble(double limit, std::shared_ptr<RuleLog> log)
      : limit_(limit), log_(std::move(log)) {}

  std::vector<std::string> metrics() const override { return {"loss"}; }

  sweeps::StopVerdict report(const sweeps::Report& r) override {
    log_->calls.push_back("report " + std::to_string(r.trial) + " " + r.metric + "@" +
                          std::to_string(r.step));
    if (!(r.value >= limit_) && !std::isnan(r.value)) return {};
    std::ostringstream reason;
    reason << "step " << r.step << ": loss " << r.value << " is not below " << limit_;
    return {.stop = true, .reason = reason.str()};
  }

  void trial_ended(int64_t trial) override {
    log_->calls.push_back("ended " + std::to_string(trial));
  }

 private:
  double limit_;
  std::shared_ptr<RuleLog> log_;
};

protocol::MetricPoint point(int64_t step, double value, std::string name = "loss") {
  return {.step = step, .name = std::move(name), .value = value, .time_ms = 5};
}

protocol::Metrics batch(uint64_t seq, int64_t trial, std::vector<protocol::MetricPoint> points) {
  return {.seq = seq, .trial_id = trial, .points = std::move(points)};
}

class StoppingTest : public CoreTest {
 protected:
  void SetUp() override {
    stopping_rules_ = [this](const sweeps::SweepSpec&) -> std::unique_ptr<sweeps::StoppingRule> {
      rules_.push_back(std::make_shared<RuleLog>());
      return std::make_unique<ThresholdDouble>(1.0, rules_.back());
    };
    CoreTest::SetUp();
  }

  // The calls the newest rule instance received.
  const std::vector<std::string>& calls() const { return rules_.back()->calls; }

  protocol::Decision decide(const PeerId& peer, int64_t trial, int64_t step) {
    send(peer, protocol::Decide{.query = 7, .trial_id = trial, .step = step});
    std::vector<protocol::Decision> answers = outbox_.take<protocol::Decision>(peer);
    EXPECT_THAT(answers, SizeIs(1));
    return answers.empty() ? protocol::Decision{} : answers[0];
  }

  std::vector<std::shared_ptr<RuleLog>> rules_;
};

std::vector<std::string> stop_reasons(const std::vector<protocol::Stop>& stops) {
  std::vector<std::string> out;
  for (const auto& s : stops) out.push_back(std::to_string(s.trial_id) + ": " + s.reason);
  return out;
}

TEST_F(StoppingTest, ABadReportStopsTheTrialWithTheRulesReason) {
  hello("peer-a", "gpu01", {gpu(0)});
  store::SweepId sweep = submit(grid(2));
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;

  send("peer-a", batch(1, t, {point(0, 0.5)}));
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
  EXPECT_FALSE(decide("peer-a", t, 0).stop);

  send("peer-a", batch(2, t, {point(1, 2.5)}));
  const std::string reason = "step 1: loss 2.5 is not below 1";
  EXPECT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a")),
              ElementsAre(std::to_string(t) + ": " + reason));
  protocol::Decision decision = decide("peer-a", t, 1);
  EXPECT_EQ(decision, (protocol::Decision{
                          .query = 7, .trial_id = t, .step = 1, .stop = true, .reason = reason}));
  EXPECT_EQ(count_events(sweep, "trial_early_stopped"), 1);

  // Its reports until it exits are not judged again, and no second Stop goes out.
  send("peer-a", batch(3, t, {point(2, 9.0)}));
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());

  send("peer-a", ended(4, t, 0, 15, /*stopped=*/true));
  store::TrialRecord record = trial(t);
  EXPECT_EQ(record.status, store::TrialStatus::kStopped);
  EXPECT_EQ(record.stop_reason, reason);
  std::string id = std::to_string(t);
  EXPECT_THAT(calls(),
              ElementsAre("report " + id + " loss@0", "report " + id + " loss@1", "ended " + id));
}

TEST_F(StoppingTest, TheVerdictOfABatchComesFromItsFirstStoppingPoint) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(2));
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", batch(1, t, {point(0, 0.5), point(1, NAN), point(2, 3.0)}));
  EXPECT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a")),
              ElementsAre(std::to_string(t) + ": step 1: loss nan is not below 1"));
  std::string id = std::to_string(t);
  EXPECT_THAT(calls(), ElementsAre("report " + id + " loss@0", "report " + id + " loss@1"));
}

TEST_F(StoppingTest, OnlyNewPointsOfWatchedMetricsAreFed) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(2));
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  std::string id = std::to_string(t);
  send("peer-a", batch(1, t, {point(0, 0.5), point(0, 0.4, "acc"), point(1, 0.5)}));
  // The same batch again: under its own seq (a resend, dropped by the ack tracker) and under a
  // new one (as after a lost ack on an old connection): the store keeps the first points.
  send("peer-a", batch(1, t, {point(0, 0.5), point(1, 0.5)}));
  send("peer-a", batch(2, t, {point(0, 0.5), point(1, 0.5)}));
  // The same step twice with another value, and a step older than one already fed.
  send("peer-a", batch(3, t, {point(1, 7.0), point(0, 7.0), point(3, 0.5), point(2, 0.5)}));
  EXPECT_THAT(calls(), ElementsAre("report " + id + " loss@0", "report " + id + " loss@1",
                                   "report " + id + " loss@3"));
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
}

TEST_F(StoppingTest, TrialsThatAreNotRunningAreNotJudged) {
  hello("peer-a", "gpu01", {gpu(0)});
  store::SweepId sweep = submit(grid(3));
  int64_t first = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", batch(1, first, {point(0, 0.5)}));
  send("peer-a", ended(2, first));
  int64_t second = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  // A late report of the ended trial, and one from an agent that does not run the trial.
  send("peer-a", batch(3, first, {point(1, 5.0)}));
  hello("peer-b", "gpu02", {gpu(0)});
  outbox_.take<protocol::Assign>("peer-b");
  send("peer-b", batch(1, second, {point(0, 5.0)}));
  // A trial being stopped by the user is not judged either.
  ASSERT_TRUE(core_->stop_trial(store::TrialId{second}).is_ok());
  settle();
  send("peer-a", batch(4, second, {point(0, 5.0)}));
  EXPECT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a")),
              ElementsAre(std::to_string(second) + ": stopped by user"));
  EXPECT_EQ(count_events(sweep, "trial_early_stopped"), 0);
  std::string a = std::to_string(first);
  EXPECT_THAT(calls(), ElementsAre("report " + a + " loss@0", "ended " + a));
}

TEST_F(StoppingTest, ARetriedTrialKeepsItsFedStepsAndIsJudgedAgain) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(1, "  max_retries: 1\n"));
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  std::string id = std::to_string(t);
  send("peer-a", batch(1, t, {point(0, 0.5), point(1, 0.5)}));
  send("peer-a", ended(2, t, 1));  // failed: requeued, not ended for the rule
  ASSERT_THAT(outbox_.take<protocol::Assign>("peer-a"), SizeIs(1));
  send("peer-a", batch(3, t, {point(0, 0.5), point(1, 0.5), point(2, 4.0)}));
  EXPECT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a")),
              ElementsAre(id + ": step 2: loss 4 is not below 1"));
  EXPECT_THAT(calls(), ElementsAre("report " + id + " loss@0", "report " + id + " loss@1",
                                   "report " + id + " loss@2"));
}

TEST_F(StoppingTest, ASweepWithoutRulesNeverStopsATrial) {
  stopping_rules_ = [](const sweeps::SweepSpec&) {
    return std::unique_ptr<sweeps::StoppingRule>{};
  };
  restart();
  hello("peer-a", "gpu01", {gpu(0)});
  submit(grid(1));
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", batch(1, t, {point(0, 99.0)}));
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
  EXPECT_FALSE(decide("peer-a", t, 0).stop);
}

TEST_F(StoppingTest, RecoveryReplaysTheStoredReportsAndKeepsTheVerdicts) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {gpu(0)});
  submit(grid(4));
  int64_t a = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  int64_t b = outbox_.take<protocol::Assign>("peer-b").at(0).trial_id;
  send("peer-b", batch(1, b, {point(1, 0.3), point(0, 0.6)}));  // step 0 late: not fed
  send("peer-a", batch(1, a, {point(0, 0.5)}));
  send("peer-a", ended(2, a));
  int64_t c = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", batch(3, c, {point(0, 0.2), point(1, 3.0)}));
  const std::string reason = "step 1: loss 3 is not below 1";
  ASSERT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a")),
              ElementsAre(std::to_string(c) + ": " + reason));

  restart();
  std::string sa = std::to_string(a), sb = std::to_string(b), sc = std::to_string(c);
  // Trials in id order, each one's points in step order; the ended one marked ended.
  ASSERT_LT(a, b);
  ASSERT_LT(b, c);
  EXPECT_THAT(calls(), ElementsAre("report " + sa + " loss@0", "ended " + sa,
                                   "report " + sb + " loss@0", "report " + sb + " loss@1",
                                   "report " + sc + " loss@0", "report " + sc + " loss@1"));
  // The stopped trial's agent comes back: told again, with the same reason; its queries too.
  hello("peer-a2", "gpu01", {gpu(0)}, 0, {c});
  EXPECT_THAT(stop_reasons(outbox_.take<protocol::Stop>("peer-a2")),
              ElementsAre(sc + ": " + reason));
  EXPECT_EQ(decide("peer-a2", c, 1).reason, reason);
  hello("peer-b2", "gpu02", {gpu(0)}, 0, {b});
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-b2"), IsEmpty());
  // Points already replayed are not fed again; new ones are.
  send("peer-b2", batch(2, b, {point(1, 0.3), point(2, 0.1)}));
  EXPECT_EQ(calls().back(), "report " + sb + " loss@2");
  send("peer-a2", ended(4, c, 0, 15, true));
  EXPECT_EQ(trial(c).stop_reason, reason);
  EXPECT_EQ(calls().back(), "ended " + sc);
}

// The sweep file's own rules (sweeps::make_stopping_rules), end to end through the core.
TEST_F(CoreTest, ASweepFilesThresholdRuleStopsABadTrial) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(
      "method: grid\nmetric:\n  name: loss\n  goal: minimize\ncommand:\n  - prog\n  - "
      "${args}\nparameters:\n  x:\n    values: [0, 1]\nlabsweep:\n  early_stopping:\n    - "
      "{type: threshold, bound: 1.0, after_step: 0}\n");
  int64_t t = outbox_.take<protocol::Assign>("peer-a").at(0).trial_id;
  send("peer-a", batch(1, t, {point(1, 0.5)}));
  EXPECT_THAT(outbox_.take<protocol::Stop>("peer-a"), IsEmpty());
  send("peer-a", batch(2, t, {point(2, 2.0)}));
  std::vector<protocol::Stop> stops = outbox_.take<protocol::Stop>("peer-a");
  ASSERT_THAT(stops, SizeIs(1));
  EXPECT_THAT(stops[0].reason, ::testing::HasSubstr("loss"));
  send("peer-a", protocol::Decide{.query = 1, .trial_id = t, .step = 2});
  std::vector<protocol::Decision> answers = outbox_.take<protocol::Decision>("peer-a");
  ASSERT_THAT(answers, SizeIs(1));
  EXPECT_TRUE(answers[0].stop);
  EXPECT_EQ(answers[0].reason, stops[0].reason);
  send("peer-a", ended(3, t, 0, 15, true));
  EXPECT_EQ(trial(t).status, store::TrialStatus::kStopped);
  EXPECT_EQ(trial(t).stop_reason, stops[0].reason);
}

}  // namespace
}  // namespace labsweep::orchestrator
