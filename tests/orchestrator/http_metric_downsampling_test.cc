// The metric endpoints' `max_points`, `x` and `layout` (docs/http-api.md): series downsampled
// with LTTB (orchestrator/lttb.h, tested on its own in lttb_test.cc) through a real server and
// store, as points or as columns.

#include <cmath>
#include <string>
#include <vector>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

class HttpMetricDownsamplingTest : public HttpApiTest {
 protected:
  // Points with the given values at steps 0, 1, ... and the given times.
  void add_series(store::TrialId trial, const std::string& key, const std::vector<double>& values,
                  const std::vector<int64_t>& times) {
    store::AddMetricPoints op;
    for (size_t i = 0; i < values.size(); ++i) {
      op.points.push_back({.trial = trial,
                           .key = key,
                           .step = static_cast<int64_t>(i),
                           .value = values[i],
                           .time_ms = times[i]});
    }
    write(std::move(op));
  }

  static std::vector<int64_t> steps_of(const json& points) {
    std::vector<int64_t> steps;
    for (const json& point : points) steps.push_back(point[0].get<int64_t>());
    return steps;
  }

  std::string series_path(store::TrialId trial) {
    return "/api/v1/trials/" + std::to_string(trial.value) + "/metrics/loss";
  }
};

const std::vector<double> kValues = {0, 1, 5, 2, 3, 9, 4};
// Uneven in time: along time, LTTB keeps point 1 where along step it keeps point 2.
const std::vector<int64_t> kTimes = {0, 100, 101, 102, 103, 104, 105};

TEST_F(HttpMetricDownsamplingTest, MaxPointsKeepsTheLttbPointsWhole) {
  store::TrialId t = add_trial(add_sweep(), 0);
  add_series(t, "loss", kValues, kTimes);
  Reply reply = get(series_path(t) + "?max_points=4");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body,
            json({{"trial", t.value},
                  {"key", "loss"},
                  {"points", {{0, 0.0, 0}, {2, 5.0, 101}, {5, 9.0, 104}, {6, 4.0, 105}}}}));
  EXPECT_EQ(steps_of(get(series_path(t) + "?max_points=4&x=step").body["points"]),
            (std::vector<int64_t>{0, 2, 5, 6}));
  EXPECT_EQ(steps_of(get(series_path(t) + "?max_points=4&x=time").body["points"]),
            (std::vector<int64_t>{0, 1, 5, 6}));
}

TEST_F(HttpMetricDownsamplingTest, WithoutMaxPointsOrWithEnoughTheSeriesIsWhole) {
  store::TrialId t = add_trial(add_sweep(), 0);
  add_series(t, "loss", kValues, kTimes);
  const json whole = get(series_path(t)).body["points"];
  ASSERT_EQ(whole.size(), 7u);
  EXPECT_EQ(get(series_path(t) + "?max_points=7").body["points"], whole);
  EXPECT_EQ(get(series_path(t) + "?max_points=1000000").body["points"], whole);
  EXPECT_EQ(get(series_path(t) + "?x=time").body["points"], whole);  // x alone changes nothing
}

TEST_F(HttpMetricDownsamplingTest, NonFiniteValuesSurviveDownsampling) {
  store::TrialId t = add_trial(add_sweep(), 0);
  add_series(t, "loss", {0, 1, std::nan(""), 2, 3, 9, HUGE_VAL}, kTimes);
  // Bucket {3, 4, 5} has no finite point after it: it keeps the point farthest from the line
  // between the last finite point kept, (0, 0), and its own last point, (5, 9).
  EXPECT_EQ(get(series_path(t) + "?max_points=4").body["points"],
            json({{0, 0.0, 0}, {2, "NaN", 101}, {4, 3.0, 103}, {6, "Infinity", 105}}));
}

TEST_F(HttpMetricDownsamplingTest, FromStepIsReadFirstThenDownsampled) {
  store::TrialId t = add_trial(add_sweep(), 0);
  add_series(t, "loss", {7, 7, 0, 1, 5, 2, 3, 9, 4}, {0, 0, 0, 1, 2, 3, 4, 5, 6});
  EXPECT_EQ(steps_of(get(series_path(t) + "?from_step=2&max_points=4").body["points"]),
            (std::vector<int64_t>{2, 4, 7, 8}));
}

TEST_F(HttpMetricDownsamplingTest, ManyTrialsAreEachDownsampled) {
  store::SweepId sweep = add_sweep();
  store::TrialId a = add_trial(sweep, 0);
  store::TrialId b = add_trial(sweep, 1);
  store::TrialId c = add_trial(sweep, 2);
  add_series(a, "loss", kValues, kTimes);
  add_series(b, "loss", {1, 2}, {0, 1});
  std::string ids =
      std::to_string(c.value) + "," + std::to_string(a.value) + "," + std::to_string(b.value);
  Reply reply = get("/api/v1/metrics?trials=" + ids + "&key=loss&max_points=4&x=time");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  const json& series = reply.body["series"];
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series[0], json({{"trial", c.value}, {"points", json::array()}}));
  EXPECT_EQ(series[1]["trial"], a.value);
  EXPECT_EQ(steps_of(series[1]["points"]), (std::vector<int64_t>{0, 1, 5, 6}));
  EXPECT_EQ(series[2], json({{"trial", b.value}, {"points", {{0, 1.0, 0}, {1, 2.0, 1}}}}));
}

TEST_F(HttpMetricDownsamplingTest, ColumnsLayoutCarriesTheSamePointsAsThreeArrays) {
  store::SweepId sweep = add_sweep();
  store::TrialId a = add_trial(sweep, 0);
  store::TrialId b = add_trial(sweep, 1);
  add_series(a, "loss", kValues, kTimes);
  add_series(b, "loss", {1, NAN}, {0, 1});
  // One trial: the whole series, then the LTTB points of it, each as the points layout has them.
  for (const std::string& query : {std::string(), std::string("&max_points=4&x=time")}) {
    SCOPED_TRACE(query);
    const json points = get(series_path(a) + "?layout=points" + query).body["points"];
    Reply reply = get(series_path(a) + "?layout=columns" + query);
    ASSERT_EQ(reply.status, 200) << reply.raw;
    EXPECT_FALSE(reply.body.contains("points"));
    ASSERT_EQ(reply.body["steps"].size(), points.size());
    for (size_t i = 0; i < points.size(); ++i) {
      EXPECT_EQ(reply.body["steps"][i], points[i][0]);
      EXPECT_EQ(reply.body["values"][i], points[i][1]);
      EXPECT_EQ(reply.body["times"][i], points[i][2]);
    }
  }
  // Many trials: each series an object of its trial and the three arrays; NaN as a string.
  Reply many = get("/api/v1/metrics?trials=" + std::to_string(b.value) + "," +
                   std::to_string(a.value) + "&key=loss&layout=columns&max_points=4");
  ASSERT_EQ(many.status, 200) << many.raw;
  EXPECT_EQ(
      many.body["series"][0],
      json({{"trial", b.value}, {"steps", {0, 1}}, {"values", {1.0, "NaN"}}, {"times", {0, 1}}}));
  EXPECT_EQ(many.body["series"][1]["steps"], json({0, 2, 5, 6}));
  Reply none = get("/api/v1/metrics?trials=" + std::to_string(b.value) + "&key=acc&layout=columns");
  EXPECT_EQ(none.body["series"][0], json({{"trial", b.value},
                                          {"steps", json::array()},
                                          {"values", json::array()},
                                          {"times", json::array()}}));
}

TEST_F(HttpMetricDownsamplingTest, BadMaxPointsOrAxisIsA400NamingIt) {
  store::TrialId t = add_trial(add_sweep(), 0);
  add_series(t, "loss", kValues, kTimes);
  const std::string many = "/api/v1/metrics?trials=" + std::to_string(t.value) + "&key=loss&";
  const std::string one = series_path(t) + "?";
  struct Case {
    std::string query;
    std::string error;
  };
  const std::string range = "query parameter 'max_points' must be an integer from 3 to 1000000";
  for (const Case& c : std::vector<Case>{
           {"max_points=2", range + ", not '2'"},
           {"max_points=0", range + ", not '0'"},
           {"max_points=-5", range + ", not '-5'"},
           {"max_points=1000001", range + ", not '1000001'"},
           {"max_points=", range + ", not ''"},
           {"max_points=10px", range + ", not '10px'"},
           {"max_points=4&max_points=5", "query parameter 'max_points' is given more than once"},
           {"max_points=4&x=steps", "query parameter 'x' must be 'step' or 'time', not 'steps'"},
           {"x=", "query parameter 'x' must be 'step' or 'time', not ''"},
           {"x=time&x=step", "query parameter 'x' is given more than once"},
           {"maxpoints=4", "unknown query parameter 'maxpoints'"},
           {"layout=rows", "query parameter 'layout' must be 'points' or 'columns', not 'rows'"},
           {"layout=", "query parameter 'layout' must be 'points' or 'columns', not ''"},
           {"layout=columns&layout=points", "query parameter 'layout' is given more than once"},
       }) {
    for (const std::string& base : {one, many}) {
      Reply reply = get(base + c.query);
      EXPECT_EQ(reply.status, 400) << base << c.query;
      EXPECT_EQ(reply.body["error"], c.error) << base << c.query;
    }
  }
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
