// What the core tells a search method that learns (bayes, tpe): each trial's outcome with the
// sweep metric as the trial reported it, once, when the trial has ended for good; after a
// restart, every stored trial again, ended ones in the order they ended. And the user is told
// when trials complete without ever reporting the sweep's metric.

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

std::string describe(const std::optional<double>& v) {
  if (!v) return "-";
  std::ostringstream out;
  out << *v;
  return out.str();
}

// A method over x in 0..9 that suggests x = index and writes down each observation as
// "observe INDEX x=X OUTCOME best=B latest=L step=S [stopped]".
class RecordingMethod final : public sweeps::SearchMethod {
 public:
  explicit RecordingMethod(std::shared_ptr<std::vector<std::string>> log) : log_(std::move(log)) {}

  std::optional<sweeps::Suggestion> next() override {
    while (used_.count(cursor_)) ++cursor_;
    if (cursor_ >= 10) return std::nullopt;
    uint64_t index = cursor_++;
    return sweeps::Suggestion{.index = index, .values = {sweeps::Value(int64_t(index))}};
  }
  void mark_used(uint64_t index) override { used_.insert(index); }
  std::optional<uint64_t> size() const override { return 10; }
  bool learns() const override { return true; }

  void observe(const sweeps::TrialResult& r) override {
    static constexpr const char* kOutcomes[] = {"running", "finished", "failed"};
    std::string x =
        r.values.size() == 1 && r.values[0].is_int() ? std::to_string(r.values[0].as_int()) : "?";
    log_->push_back("observe " + std::to_string(r.index) + " x=" + x + " " +
                    kOutcomes[static_cast<int>(r.outcome)] + " best=" + describe(r.best) +
                    " latest=" + describe(r.latest) + " step=" + std::to_string(r.last_step) +
                    (r.stopped_early ? " stopped" : ""));
  }

 private:
  std::shared_ptr<std::vector<std::string>> log_;
  std::set<uint64_t> used_;
  uint64_t cursor_ = 0;
};

protocol::MetricPoint point(int64_t step, double value, std::string name = "loss") {
  return {.step = step, .name = std::move(name), .value = value, .time_ms = 5};
}

protocol::Metrics batch(uint64_t seq, int64_t trial, std::vector<protocol::MetricPoint> points) {
  return {.seq = seq, .trial_id = trial, .points = std::move(points)};
}

std::string sweep_text(const std::string& goal = "minimize") {
  return "method: random\nmetric:\n  name: loss\n  goal: " + goal +
         "\ncommand:\n  - prog\n  - ${args}\nparameters:\n  x:\n    values: [0, 1, 2, 3, 4, 5, 6, "
         "7, 8, 9]\n";
}

class LearningTest : public CoreTest {
 protected:
  void SetUp() override {
    stopping_rules_ = [](const sweeps::SweepSpec&) {
      return std::unique_ptr<sweeps::StoppingRule>{};
    };
    search_methods_ = [this](const sweeps::SweepSpec&,
                             uint64_t) -> Result<std::unique_ptr<sweeps::SearchMethod>> {
      log_ = std::make_shared<std::vector<std::string>>();
      return std::unique_ptr<sweeps::SearchMethod>(std::make_unique<RecordingMethod>(log_));
    };
    CoreTest::SetUp();
  }

  int64_t assigned(const PeerId& peer) {
    std::vector<protocol::Assign> assigns = outbox_.take<protocol::Assign>(peer);
    EXPECT_EQ(assigns.size(), 1u);
    return assigns.empty() ? 0 : assigns[0].trial_id;
  }

  std::shared_ptr<std::vector<std::string>> log_;
};

TEST_F(LearningTest, AnEndedTrialIsObservedOnceWithWhatItReported) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(sweep_text());
  int64_t t = assigned("peer-a");
  // Out of order, a resend, a NaN and a non-metric: best 0.3, latest the value at step 2.
  send("peer-a", batch(1, t, {point(0, 0.5), point(2, 0.4), point(1, 0.3)}));
  send("peer-a", batch(2, t, {point(1, 0.3), point(1, NAN), point(0, 0.1, "other")}));
  EXPECT_THAT(*log_, IsEmpty());  // running: the method counts its own suggestion as running
  send("peer-a", ended(3, t));
  EXPECT_THAT(*log_, ElementsAre("observe 0 x=0 finished best=0.3 latest=0.4 step=2"));
}

TEST_F(LearningTest, MaximizingTakesTheLargestValueAsBest) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(sweep_text("maximize"));
  int64_t t = assigned("peer-a");
  send("peer-a", batch(1, t, {point(0, 0.5), point(1, 0.9), point(2, 0.7)}));
  send("peer-a", ended(2, t));
  EXPECT_THAT(*log_, ElementsAre("observe 0 x=0 finished best=0.9 latest=0.7 step=2"));
}

TEST_F(LearningTest, FailedAndStoppedTrialsAreObservedAsSuch) {
  hello("peer-a", "gpu01", {gpu(0)});
  store::SweepId sweep = submit(sweep_text());
  int64_t t0 = assigned("peer-a");
  send("peer-a", batch(1, t0, {point(0, 2.0)}));
  send("peer-a", ended(2, t0, /*exit_code=*/1));
  int64_t t1 = assigned("peer-a");
  send("peer-a", batch(3, t1, {point(0, 1.5)}));
  ASSERT_TRUE(core_->stop_trial(store::TrialId{t1}).is_ok());
  settle();
  send("peer-a", ended(4, t1, 0, 0, /*stopped=*/true));
  EXPECT_THAT(*log_, ElementsAre("observe 0 x=0 failed best=2 latest=2 step=0",
                                 "observe 1 x=1 finished best=1.5 latest=1.5 step=0 stopped"));
  (void)sweep;
}

TEST_F(LearningTest, ARetriedTrialIsObservedOnlyWhenItEndsForGood) {
  hello("peer-a", "gpu01", {gpu(0)});
  submit(sweep_text() + "labsweep:\n  max_retries: 1\n");
  int64_t t = assigned("peer-a");
  send("peer-a", ended(1, t, /*exit_code=*/1));
  EXPECT_THAT(*log_, IsEmpty());
  EXPECT_EQ(assigned("peer-a"), t);  // its second attempt
  send("peer-a", batch(2, t, {point(0, 0.7)}));
  send("peer-a", ended(3, t));
  EXPECT_THAT(*log_, ElementsAre("observe 0 x=0 finished best=0.7 latest=0.7 step=0"));
}

TEST_F(LearningTest, ARestartTellsTheMethodEveryTrialInTheOrderTheyEnded) {
  hello("peer-a", "gpu01", {gpu(0)});
  hello("peer-b", "gpu02", {gpu(0)});
  submit(sweep_text());
  int64_t a = assigned("peer-a");
  int64_t b = assigned("peer-b");
  ASSERT_LT(a, b);
  send("peer-b", batch(1, b, {point(0, 0.8), point(1, 0.6)}));
  advance(std::chrono::milliseconds(10));
  send("peer-b", ended(2, b));  // b ends first
  int64_t c = assigned("peer-b");
  send("peer-a", batch(1, a, {point(0, 0.9)}));
  advance(std::chrono::milliseconds(10));
  send("peer-a", ended(2, a, /*exit_code=*/3));
  int64_t d = assigned("peer-a");
  send("peer-a", batch(3, d, {point(0, 0.2)}));
  ASSERT_EQ(log_->size(), 2u);

  restart();
  // b then a (the order they ended), then the live c and d, with what the store holds of them.
  EXPECT_THAT(*log_, ElementsAre("observe 1 x=1 finished best=0.6 latest=0.6 step=1",
                                 "observe 0 x=0 failed best=0.9 latest=0.9 step=0",
                                 "observe 2 x=2 running best=- latest=- step=-1",
                                 "observe 3 x=3 running best=0.2 latest=0.2 step=0"));
  // d goes on where it was: its next report adds to what was stored.
  hello("peer-a2", "gpu01", {gpu(0)}, 0, {d});
  send("peer-a2", batch(1, d, {point(1, 0.1)}));
  send("peer-a2", ended(2, d));
  EXPECT_EQ(log_->back(), "observe 3 x=3 finished best=0.1 latest=0.1 step=1");
  (void)c;
}

TEST_F(LearningTest, TrialsThatNeverReportTheMetricAreToldOnce) {
  hello("peer-a", "gpu01", {gpu(0)});
  store::SweepId sweep = submit(sweep_text());
  for (uint64_t seq = 1; seq <= 4; seq += 2) {
    int64_t t = assigned("peer-a");
    send("peer-a", batch(seq, t, {point(0, 0.5, "val_los")}));  // a misspelt name
    send("peer-a", ended(seq + 1, t));
  }
  EXPECT_EQ(count_events(sweep, "sweep_metric_missing"), 1);
  auto events = reader_->events({.after = {}, .sweep = sweep, .limit = std::nullopt});
  ASSERT_TRUE(events);
  for (const auto& e : *events) {
    if (e.kind == "sweep_metric_missing") {
      EXPECT_THAT(e.message, ::testing::HasSubstr("without reporting loss, the sweep's metric"));
    }
  }
}

TEST_F(LearningTest, AFailedTrialWithoutReportsIsNotTakenForAMissingMetric) {
  hello("peer-a", "gpu01", {gpu(0)});
  store::SweepId sweep = submit(sweep_text());
  send("peer-a", ended(1, assigned("peer-a"), /*exit_code=*/2));
  EXPECT_EQ(count_events(sweep, "sweep_metric_missing"), 0);
}

}  // namespace
}  // namespace labsweep::orchestrator
