#include "agent/trial_line.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

namespace labsweep::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TrialReport report_of(std::string_view line) {
  Result<TrialLine> parsed = parse_trial_line(line);
  EXPECT_TRUE(parsed.is_ok()) << line << ": " << parsed.status().message();
  if (!parsed) return {};
  EXPECT_TRUE(std::holds_alternative<TrialReport>(*parsed)) << line;
  return std::get<TrialReport>(*parsed);
}

std::string error_of(std::string_view line) {
  Result<TrialLine> parsed = parse_trial_line(line);
  EXPECT_FALSE(parsed.is_ok()) << "accepted: " << line;
  return parsed.is_ok() ? "" : parsed.status().message();
}

TEST(TrialLineTest, ReportKeepsMetricsInLineOrder) {
  TrialReport r = report_of(R"({"step":3,"loss":0.41,"acc":0.87,"val/top-1":"nan"})");
  EXPECT_EQ(r.step, 3);
  ASSERT_EQ(r.metrics.size(), 3u);
  EXPECT_EQ(r.metrics[0], (Metric{"loss", 0.41}));
  EXPECT_EQ(r.metrics[1], (Metric{"acc", 0.87}));
  EXPECT_EQ(r.metrics[2].name, "val/top-1");
  EXPECT_TRUE(std::isnan(r.metrics[2].value));
  EXPECT_EQ(r.received_ms, 0);
}

TEST(TrialLineTest, StepMayComeAnywhereAndNonFiniteValuesAreStrings) {
  TrialReport r = report_of(R"({"a":"inf","b":"-inf","step":0,"c":-2,"d":1e-3})");
  EXPECT_EQ(r.step, 0);
  EXPECT_THAT(r.metrics, ElementsAre(Metric{"a", std::numeric_limits<double>::infinity()},
                                     Metric{"b", -std::numeric_limits<double>::infinity()},
                                     Metric{"c", -2.0}, Metric{"d", 0.001}));
}

TEST(TrialLineTest, LargestStepAndTrailingCarriageReturn) {
  EXPECT_EQ(report_of("{\"step\":9223372036854775807,\"x\":1}\r").step,
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(report_of(" {\"step\" : 1 , \"x\" : 1 } ").step, 1);
}

TEST(TrialLineTest, MetricNamesMayUseTheWholeAlphabet) {
  std::string longest(255, 'n');
  EXPECT_EQ(report_of(R"({"step":1,"A-Z_a.z/0-9":1})").metrics[0].name, "A-Z_a.z/0-9");
  EXPECT_EQ(report_of("{\"step\":1,\"" + longest + "\":1}").metrics[0].name, longest);
  // An escaped name is judged by what it decodes to.
  EXPECT_EQ(report_of(R"({"step":1,"lo\u0073s":1})").metrics[0].name, "loss");
}

TEST(TrialLineTest, Query) {
  Result<TrialLine> q = parse_trial_line(R"({"query":"should_stop","step":7})");
  ASSERT_TRUE(q.is_ok()) << q.status().message();
  EXPECT_EQ(std::get<StopQuery>(*q), StopQuery{7});
  // Unknown members of a query are ignored, whatever they hold.
  q = parse_trial_line(R"({"step":2,"extra":{"a":[1,{"b":2}]},"query":"should_stop","x":"y"})");
  ASSERT_TRUE(q.is_ok()) << q.status().message();
  EXPECT_EQ(std::get<StopQuery>(*q), StopQuery{2});
}

TEST(TrialLineTest, MalformedQueries) {
  EXPECT_EQ(error_of(R"({"query":"rewind","step":1})"), "query: unknown query 'rewind'");
  EXPECT_EQ(error_of(R"({"query":1,"step":1})"), "query: must be a string");
  EXPECT_EQ(error_of(R"({"query":"should_stop"})"), "step: missing");
  EXPECT_THAT(error_of(R"({"query":"should_stop","step":1.0})"), HasSubstr("step: must be"));
  EXPECT_THAT(error_of(R"({"query":"should_stop","step":1,"step":2})"), HasSubstr("twice"));
}

TEST(TrialLineTest, StepsMustBeIntegersWithoutFractionOrExponent) {
  const std::string rule =
      "step: must be an integer from 0 to 2^63-1, written without a fraction or exponent";
  for (const char* line :
       {R"({"step":3.0,"x":1})", R"({"step":1e3,"x":1})", R"({"step":1E0,"x":1})",
        R"({"step":-1,"x":1})", R"({"step":"3","x":1})", R"({"step":null,"x":1})",
        R"({"step":true,"x":1})", R"({"step":[1],"x":1})", R"({"step":{},"x":1})",
        R"({"step":9223372036854775808,"x":1})", R"({"step":18446744073709551616,"x":1})",
        R"({"step":0.5,"x":1})"}) {
    EXPECT_EQ(error_of(line), rule) << line;
  }
  EXPECT_EQ(error_of(R"({"x":1})"), "step: missing");
}

TEST(TrialLineTest, BadMetricNames) {
  const std::string too_long(256, 'n');
  for (std::string name : {std::string(""), std::string("has space"), std::string("é"),
                           std::string("a\\u0000b"), std::string("semi;colon"), too_long}) {
    EXPECT_THAT(error_of("{\"step\":1,\"" + name + "\":1}"),
                HasSubstr("use 1 to 255 letters, digits and _ . - /"))
        << name;
  }
}

TEST(TrialLineTest, BadValues) {
  for (const char* value :
       {R"("NaN")", R"("Infinity")", R"("1.5")", "null", "true", "[1]", R"({"v":1})", R"("")"}) {
    EXPECT_EQ(error_of(std::string(R"({"step":1,"loss":)") + value + "}"),
              "metric 'loss': value must be a number or one of \"nan\", \"inf\", \"-inf\"")
        << value;
  }
  // JSON numbers outside a double's range are refused by the JSON reader itself.
  EXPECT_THAT(error_of(R"({"step":1,"loss":1e400})"), HasSubstr("not JSON"));
}

TEST(TrialLineTest, RepeatedNamesAreRejected) {
  EXPECT_EQ(error_of(R"({"step":1,"loss":1,"loss":2})"), "'loss' occurs twice");
  EXPECT_EQ(error_of(R"({"step":1,"step":1,"loss":2})"), "'step' occurs twice");
  // Nested objects may repeat names of the top level: only top-level members count.
  EXPECT_TRUE(
      parse_trial_line(R"({"query":"should_stop","step":1,"o":{"step":2,"step":3}})").is_ok());
}

TEST(TrialLineTest, ReportsNeedAMetric) {
  EXPECT_EQ(error_of(R"({"step":1})"), "a report needs at least one metric");
}

TEST(TrialLineTest, NotAnObject) {
  for (const char* line : {"[1,2]", "1", "\"step\"", "null", "true"}) {
    EXPECT_EQ(error_of(line), "not a JSON object") << line;
  }
}

TEST(TrialLineTest, NotJson) {
  for (const char* line :
       {"", "   ", "{", "{\"step\":1,\"x\":1", "{\"step\":1,\"x\":1}}", "{\"step\":1,\"x\":1,}",
        "{step:1}", "{\"step\":01,\"x\":1}", "{\"step\":1,\"x\":NaN}", "{\"step\":1,\"x\":.5}",
        "{\"step\":1,\"x\":1} {}", "{\"step\":1,\"x\":\"a\tb\"}"}) {
    EXPECT_THAT(error_of(line), HasSubstr("not JSON")) << line;
  }
}

TEST(TrialLineTest, NotUtf8) {
  for (std::string bad :
       {std::string("\xff"), std::string("\xc3"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
    EXPECT_EQ(error_of("{\"step\":1,\"x\":1,\"n\":\"" + bad + "\"}"), "not UTF-8");
    EXPECT_EQ(error_of("{\"step\":1,\"x\":1}" + bad), "not UTF-8");
  }
  // Well-formed UTF-8 in an ignored string is fine.
  EXPECT_TRUE(
      parse_trial_line("{\"query\":\"should_stop\",\"step\":1,\"n\":\"h\xc3\xa9\"}").is_ok());
}

TEST(TrialLineTest, LengthLimitCountsTheNewline) {
  std::string head = R"({"step":1,"x":")";
  std::string fits = head + std::string(kMaxTrialLineBytes - 1 - head.size() - 2, 'a') + "\"}";
  ASSERT_EQ(fits.size(), kMaxTrialLineBytes - 1);  // plus its newline: exactly the limit
  // Within the limit: refused for its value, not its length.
  EXPECT_THAT(error_of(fits), HasSubstr("metric 'x'"));
  std::string over = head + std::string(kMaxTrialLineBytes - head.size() - 2, 'a') + "\"}";
  EXPECT_EQ(error_of(over), "line longer than 65536 bytes");
}

TEST(TrialLineTest, DeepNestingDoesNotExhaustTheStack) {
  std::string deep = R"({"query":"should_stop","step":1,"x":)" + std::string(30000, '[') +
                     std::string(30000, ']') + "}";
  EXPECT_TRUE(parse_trial_line(deep).is_ok());
}

TEST(TrialLineTest, MetricNameValidity) {
  EXPECT_TRUE(is_valid_metric_name("loss"));
  EXPECT_FALSE(is_valid_metric_name("step"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("a b"));
}

// parse_trial_line reads plain reports itself and leaves the rest to the full parser; for every
// line, both must give the same answer (the same report, or an error either way).
void expect_same_as_full_parser(const std::string& line) {
  Result<TrialLine> fast = parse_trial_line(line);
  Result<TrialLine> full = parse_trial_line_fully(line);
  ASSERT_EQ(fast.is_ok(), full.is_ok()) << line;
  if (!fast) {
    EXPECT_EQ(fast.status().message(), full.status().message()) << line;
    return;
  }
  ASSERT_EQ(fast->index(), full->index()) << line;
  if (const auto* report = std::get_if<TrialReport>(&*fast)) {
    const auto& expected = std::get<TrialReport>(*full);
    EXPECT_EQ(report->step, expected.step) << line;
    ASSERT_EQ(report->metrics.size(), expected.metrics.size()) << line;
    for (size_t i = 0; i < expected.metrics.size(); ++i) {
      EXPECT_EQ(report->metrics[i].name, expected.metrics[i].name) << line;
      // Bit for bit: the same rounding, the same sign of zero.
      EXPECT_EQ(std::signbit(report->metrics[i].value), std::signbit(expected.metrics[i].value))
          << line;
      EXPECT_TRUE(report->metrics[i] == expected.metrics[i]) << line;
    }
  }
}

TEST(TrialLineTest, PlainReportsReadAsTheFullParserReadsThem) {
  const char* lines[] = {
      R"({"step":3,"loss":0.41,"acc":0.87})",
      R"( { "step" : 0 , "loss" : 1 } )",
      "{\t\"step\":1,\t\"x\":2}",
      R"({"loss":-0,"step":-0})",
      R"({"step":7,"a":-0.0,"b":1e3,"c":1E-3,"d":-2.5e+2,"e":123456789012345678})",
      R"({"step":7,"a":1234567890123456789012,"b":0.1e-400,"c":1e999})",
      R"({"step":7,"a":01})",
      R"({"step":7,"a":1.})",
      R"({"step":7,"a":.5})",
      R"({"step":7,"a":+1})",
      R"({"step":7,"a":1e})",
      R"({"step":7,"a":-})",
      R"({"step":7,"a":0x10})",
      R"({"step":1.0,"a":1})",
      R"({"step":1e2,"a":1})",
      R"({"step":-1,"a":1})",
      R"({"step":9223372036854775807,"a":1})",
      R"({"step":9223372036854775808,"a":1})",
      R"({"step":1,"a":1,"a":2})",
      R"({"step":1,"step":2,"a":1})",
      R"({"step":1})",
      R"({"a":1})",
      R"({"step":1,"a":1,})",
      R"({"step":1,"a":1}x)",
      R"({"step":1,"a":1})"
      "\r",
      R"({"step":1,"a":1})"
      "\r\r",
      R"({"step":1,"a\u0062":1})",
      R"({"step":1,"":1})",
      R"({"step":1,"bad name":1})",
      R"({"step":1,"query":1})",
      R"({"query":"should_stop","step":4})",
      R"({"step":1,"a":"nan","b":"inf","c":"-inf"})",
      R"({"step":1,"a":true})",
      R"({"step":1,"a":[1]})",
      R"({"step":1,"a":1)",
      R"({"step":1 "a":1})",
      R"({"step":1,"a":1}})",
      R"([{"step":1,"a":1}])",
      "{\"step\":1,\"\xc3\xa9\":1}",
      "{\"step\":1,\"a\":1}\xff",
      "",
      "{}",
  };
  for (const char* line : lines) expect_same_as_full_parser(line);
}

TEST(TrialLineTest, RandomNumbersReadAsTheFullParserReadsThem) {
  std::mt19937 rng(20261130);
  const std::string pieces[] = {"0", "1", "9", "-", ".", "e", "E", "+", "5", "00", "7"};
  for (int round = 0; round < 5000; ++round) {
    std::string number;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 8); i < n; ++i) {
      number += pieces[rng() % std::size(pieces)];
    }
    expect_same_as_full_parser("{\"step\":" + std::to_string(rng() % 100) + ",\"m\":" + number +
                               "}");
    expect_same_as_full_parser("{\"step\":" + number + ",\"m\":1}");
  }
  std::uniform_real_distribution<double> any(-1e6, 1e6);
  for (int round = 0; round < 2000; ++round) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", any(rng) * std::pow(10.0, rng() % 40 - 20.0));
    expect_same_as_full_parser(std::string("{\"step\":1,\"m\":") + text + "}");
  }
}

}  // namespace
}  // namespace labsweep::agent
