// Metric series written as text: the same numbers nlohmann::json would write, whole values with
// their ".0", and the values JSON has no number for as strings.

#include "orchestrator/points_json.h"

#include <gmock/gmock.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "orchestrator/json_views.h"

namespace labsweep::orchestrator {
namespace {

std::string value_text(double value) {
  std::string out;
  append_metric_value_json(out, value);
  return out;
}

TEST(PointsJsonTest, ValuesAreWrittenAsNlohmannJsonWritesThem) {
  for (double value : {0.1, 2.0, -0.0, 0.0, 1e-05, 1e+20, 123456.789, 0.43621715366457875, -3.25,
                       1e16, 5e-324, std::numeric_limits<double>::max()}) {
    EXPECT_EQ(value_text(value), to_body(metric_value_json(value))) << value;
  }
  EXPECT_EQ(value_text(std::nan("")), "\"NaN\"");
  EXPECT_EQ(value_text(std::numeric_limits<double>::infinity()), "\"Infinity\"");
  EXPECT_EQ(value_text(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
}

TEST(PointsJsonTest, EveryValueReadsBackAsTheSameDouble) {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 20000; ++i) {
    uint64_t raw = bits(random);
    double value;
    std::memcpy(&value, &raw, sizeof value);
    if (!std::isfinite(value)) continue;
    const std::string text = value_text(value);
    const Json parsed = Json::parse(text);
    ASSERT_TRUE(parsed.is_number_float()) << text;  // never read back as an integer
    EXPECT_EQ(parsed.get<double>(), value) << text;
  }
}

TEST(PointsJsonTest, ASeriesIsAnArrayOfStepValueAndTime) {
  std::string out = "x";
  append_points_json(out, {});
  EXPECT_EQ(out, "x[]");
  const std::vector<store::MetricPoint> points = {
      {.step = 0, .value = 1.5, .time_ms = 1000},
      {.step = 1, .value = std::nan(""), .time_ms = 1001},
      {.step = -7, .value = 3.0, .time_ms = 1764000000000}};
  out.clear();
  append_points_json(out, points);
  EXPECT_EQ(out, R"([[0,1.5,1000],[1,"NaN",1001],[-7,3.0,1764000000000]])");
}

TEST(PointsJsonTest, ColumnsAreStepsValuesAndTimes) {
  std::string out = "{";
  append_point_columns_json(out, {});
  EXPECT_EQ(out, R"({"steps":[],"values":[],"times":[])");
  const std::vector<store::MetricPoint> points = {
      {.step = 0, .value = 1.5, .time_ms = 1000},
      {.step = 1, .value = -std::numeric_limits<double>::infinity(), .time_ms = 1001},
      {.step = -7, .value = 3.0, .time_ms = 1764000000000}};
  out.clear();
  append_point_columns_json(out, points);
  EXPECT_EQ(out,
            R"("steps":[0,1,-7],"values":[1.5,"-Infinity",3.0],"times":[1000,1001,1764000000000])");
}

}  // namespace
}  // namespace labsweep::orchestrator
