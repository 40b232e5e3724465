#include "agent/stdout_metric_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kKeyValue =
    R"(([A-Za-z_][\w./-]*)=(nan|[-+]?inf|[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?))";

StdoutMetricMatcher matcher(const std::string& regex = kKeyValue) {
  Result<StdoutMetricMatcher> m = StdoutMetricMatcher::create(regex);
  EXPECT_TRUE(m.is_ok()) << m.status().message();
  return std::move(m).value();
}

TEST(StdoutMetricMatcherTest, EveryMatchOnALineIsOneReport) {
  StdoutMetricMatcher m = matcher();
  std::optional<TrialReport> r = m.match_line("epoch done: step=3 loss=0.41 acc=0.87");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->step, 3);
  EXPECT_THAT(r->metrics, ElementsAre(Metric{"loss", 0.41}, Metric{"acc", 0.87}));
  EXPECT_EQ(m.match_line("nothing to see"), std::nullopt);
}

TEST(StdoutMetricMatcherTest, TheStepMayComeAfterTheMetrics) {
  StdoutMetricMatcher m = matcher();
  EXPECT_EQ(m.match_line("loss=1.5 step=12")->step, 12);
}

TEST(StdoutMetricMatcherTest, LinesWithoutAStepTakeTheLastOne) {
  StdoutMetricMatcher m = matcher();
  EXPECT_EQ(m.match_line("step=5"), std::nullopt);  // a step alone is no report
  EXPECT_EQ(m.match_line("loss=2")->step, 5);
  EXPECT_EQ(m.match_line("acc=0.5")->step, 5);
  EXPECT_EQ(m.match_line("step=6 loss=1")->step, 6);
  EXPECT_EQ(m.match_line("val_loss=1")->step, 6);
}

TEST(StdoutMetricMatcherTest, WithoutAnyStepLinesCountUp) {
  StdoutMetricMatcher m = matcher();
  EXPECT_EQ(m.match_line("loss=3")->step, 0);
  EXPECT_EQ(m.match_line("no metric here"), std::nullopt);
  EXPECT_EQ(m.match_line("loss=2")->step, 1);
  EXPECT_EQ(m.match_line("loss=1 acc=0.1")->step, 2);
}

TEST(StdoutMetricMatcherTest, AThirdGroupIsTheStep) {
  StdoutMetricMatcher n = matcher(R"(([a-z_]+)=([-0-9.e]+)(?: @(\d+))?)");
  std::optional<TrialReport> r = n.match_line("loss=0.5 @7");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->step, 7);
  EXPECT_THAT(r->metrics, ElementsAre(Metric{"loss", 0.5}));
  EXPECT_EQ(n.match_line("acc=0.9")->step, 7);  // the third group may not take part
}

TEST(StdoutMetricMatcherTest, NonFiniteAndSignedValues) {
  StdoutMetricMatcher m = matcher();
  std::optional<TrialReport> r = m.match_line("step=1 a=nan b=inf c=-inf d=+2.5 e=-1e-3");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->metrics.size(), 5u);
  EXPECT_TRUE(std::isnan(r->metrics[0].value));
  EXPECT_EQ(r->metrics[1].value, INFINITY);
  EXPECT_EQ(r->metrics[2].value, -INFINITY);
  EXPECT_EQ(r->metrics[3].value, 2.5);
  EXPECT_EQ(r->metrics[4].value, -0.001);
}

TEST(StdoutMetricMatcherTest, ALineGivesAtMostTheBoundOfMatches) {
  StdoutMetricMatcher m = matcher();
  auto line = [](int metrics) {
    std::string out = "step=7";  // a match too
    for (int i = 1; i < metrics; ++i) out += " m" + std::to_string(i) + "=" + std::to_string(i);
    return out;
  };
  std::optional<TrialReport> full = m.match_line(line(StdoutMetricMatcher::kMaxMatchesPerLine));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->step, 7);
  EXPECT_EQ(full->metrics.size(), std::size_t(StdoutMetricMatcher::kMaxMatchesPerLine) - 1);
  EXPECT_EQ(m.truncated_lines(), 0u);
  std::optional<TrialReport> cut = m.match_line(line(300));
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->metrics, full->metrics);  // m1 to m63; m64 and after are left unread
  EXPECT_EQ(m.truncated_lines(), 1u);
  EXPECT_EQ(m.skipped_matches(), 0u);
}

TEST(StdoutMetricMatcherTest, APatternThatReadsToTheLineEndPerMatchIsBounded) {
  // Each search for `(?:.*Z)?` reads to the end of the line: 32768 matches over 64 KiB would be
  // 2^30 bytes read; the bound makes it 64 passes. No time is asserted: it finishes, right.
  StdoutMetricMatcher m = matcher(R"(([a-z])([0-9])(?:.*Z)?)");
  std::string line;
  for (int i = 0; i < 32768; ++i) line += i % 2 == 0 ? 'a' : char('0' + (i / 2) % 10);
  std::optional<TrialReport> r = m.match_line(line);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->metrics, (std::vector<Metric>{{"a", 0}}));  // a name repeated keeps its first
  EXPECT_EQ(m.truncated_lines(), 1u);
}

TEST(StdoutMetricMatcherTest, BadMatchesAreSkippedAndCounted) {
  StdoutMetricMatcher m = matcher();
  std::optional<TrialReport> r = m.match_line("step=1 loss=1.2.3 acc=0.5 ok=1 ok=2 step=x");
  ASSERT_TRUE(r);
  // "1.2.3" is no number, the second "ok" repeats a name (the first stands), "step=x" is no
  // step.
  EXPECT_THAT(r->metrics, ElementsAre(Metric{"acc", 0.5}, Metric{"ok", 1}));
  EXPECT_EQ(m.skipped_matches(), 1u);  // the bad value; "step=x" cannot match [0-9...]
  StdoutMetricMatcher names = matcher(R"((\S+):\s*([-0-9.e]+))");
  EXPECT_EQ(names.match_line("top@1: 0.5"), std::nullopt);  // '@' is not allowed in a name
  EXPECT_EQ(names.skipped_matches(), 1u);
}

// The example of docs/trial-interface.md, "Metrics on standard output".
TEST(StdoutMetricMatcherTest, DocumentedExample) {
  StdoutMetricMatcher m = matcher(R"(([a-z_/]+)=([-+.0-9eE]+|nan|inf|-inf))");
  EXPECT_EQ(m.match_line("epoch step=0 loss=2.31"), (TrialReport{0, {{"loss", 2.31}}, 0}));
  EXPECT_EQ(m.match_line("step=1 loss=1.87 acc=0.41"),
            (TrialReport{1, {{"loss", 1.87}, {"acc", 0.41}}, 0}));
  EXPECT_EQ(m.match_line("val_loss=1.95"), (TrialReport{1, {{"val_loss", 1.95}}, 0}));
  std::optional<TrialReport> r = m.match_line("loss=nan step=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->step, 2);
  EXPECT_TRUE(std::isnan(r->metrics.at(0).value));
}

TEST(StdoutMetricMatcherTest, PythonStyleNamedGroupsCountByPosition) {
  StdoutMetricMatcher m =
      matcher(R"((?P<name>\w+): (?P<value>[-0-9.]+)(?: \(step (?P<step>\d+)\))?)");
  EXPECT_EQ(m.match_line("loss: 0.5 (step 4), acc: 0.75"),
            (TrialReport{4, {{"loss", 0.5}, {"acc", 0.75}}, 0}));
}

TEST(StdoutMetricMatcherTest, InvalidRegexes) {
  auto bad = StdoutMetricMatcher::create("(unclosed");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "stdout_regex '(unclosed' is not a valid regular expression (RE2 syntax): "
            "missing ): (unclosed");
  // Lookaround and backreferences are not RE2 syntax.
  EXPECT_FALSE(StdoutMetricMatcher::create(R"((\w+)=(?!x)(\S+))").is_ok());
  EXPECT_FALSE(StdoutMetricMatcher::create(R"((\w+)=(\S+) \1)").is_ok());
  auto one_group = StdoutMetricMatcher::create(R"(loss=([0-9.]+))");
  ASSERT_FALSE(one_group.is_ok());
  EXPECT_THAT(one_group.status().message(), HasSubstr("needs two groups"));
}

class StdoutMetricParserTest : public ::testing::Test {
 protected:
  std::unique_ptr<StdoutMetricParser> parser(const std::string& regex = kKeyValue) {
    auto p = StdoutMetricParser::create(path_, regex, clock_);
    EXPECT_TRUE(p.is_ok()) << p.status().message();
    return std::move(p).value();
  }
  void append(std::string_view text) {
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    out << text;
  }
  std::vector<int64_t> steps(const std::vector<TrialReport>& reports) {
    std::vector<int64_t> out;
    for (const TrialReport& r : reports) out.push_back(r.step);
    return out;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "stdout.txt";
  FakeClock clock_;
};

TEST_F(StdoutMetricParserTest, NoFileYetIsNothingYet) {
  auto p = parser();
  auto reports = p->poll();
  ASSERT_TRUE(reports.is_ok());
  EXPECT_THAT(*reports, IsEmpty());
}

TEST_F(StdoutMetricParserTest, ReadsOnlyCompleteLinesIncrementally) {
  auto p = parser();
  append("step=1 loss=0.5\nstep=2 lo");
  clock_.advance(std::chrono::seconds(3));
  auto first = p->poll();
  ASSERT_TRUE(first.is_ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].received_ms, clock_.wall_ms());
  EXPECT_EQ(p->offset(), 25u);
  append("ss=0.4\r\nstep=3 loss=0.3\n");
  auto second = p->poll();
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(steps(*second), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*second)[0].metrics, (std::vector<Metric>{{"loss", 0.4}}));
  EXPECT_THAT(*p->poll(), IsEmpty());
}

TEST_F(StdoutMetricParserTest, CarriageReturnsEndLinesForProgressBars) {
  auto p = parser();
  append("step=1 loss=3\rstep=2 loss=2\rstep=3 loss=1\n");
  EXPECT_EQ(steps(*p->poll()), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(StdoutMetricParserTest, TheLastUnterminatedLineCountsAtTheEnd) {
  auto p = parser();
  append("step=1 loss=3\nstep=2 loss=2");
  EXPECT_EQ(steps(*p->poll()), (std::vector<int64_t>{1}));
  EXPECT_EQ(steps(*p->poll(StdoutMetricParser::AtEnd::kYes)), (std::vector<int64_t>{2}));
}

TEST_F(StdoutMetricParserTest, OverLongLinesAreSkippedWithoutRunningTheRegex) {
  auto p = parser();
  std::string long_line =
      "step=1 loss=9 " + std::string(2 * StdoutMetricParser::kMaxLineBytes, 'x');
  std::size_t half = StdoutMetricParser::kMaxLineBytes + 100;  // already past the bound
  append(long_line.substr(0, half));
  EXPECT_THAT(*p->poll(), IsEmpty());
  append(long_line.substr(half) + "\nstep=2 loss=1\n");
  EXPECT_EQ(steps(*p->poll()), (std::vector<int64_t>{2}));
  EXPECT_EQ(p->skipped_lines(), 1u);
  // A line of exactly the bound is read.
  std::string fits = "step=3 loss=1 ";
  fits += std::string(StdoutMetricParser::kMaxLineBytes - fits.size(), ' ');
  append(fits + "\n");
  EXPECT_EQ(steps(*p->poll()), (std::vector<int64_t>{3}));
}

TEST_F(StdoutMetricParserTest, LongLinesUpToTheBoundAreMatchedWhole) {
  // libstdc++'s regex recurses per character on `(?:\s|x)*` and overflows the stack on a line
  // this long; RE2 does not recurse. The metric at the far end of the line is found.
  auto p = parser(R"((\w+)=([0-9.]+)(?:\s|x)*)");
  std::string middle(StdoutMetricParser::kMaxLineBytes - 30, 'x');
  append("step=1 loss=1 " + middle + " acc=0.5\n");
  auto reports = p->poll();
  ASSERT_TRUE(reports.is_ok());
  ASSERT_EQ(reports->size(), 1u);
  EXPECT_THAT((*reports)[0].metrics, ElementsAre(Metric{"loss", 1}, Metric{"acc", 0.5}));
}

TEST_F(StdoutMetricParserTest, APatternWithoutALiteralOverLongWordsFindsTheMetric) {
  // A backtracking search tries `(\w+)` from every start position of a long word: quadratic.
  auto p = parser(R"((\w+)\s*(\d+))");
  std::string word(StdoutMetricParser::kMaxLineBytes - 10, 'w');
  append(word + "\n" + word + " loss 3\n");
  auto reports = p->poll();
  ASSERT_TRUE(reports.is_ok());
  EXPECT_EQ(*reports, (std::vector<TrialReport>{{0, {{"loss", 3}}, clock_.wall_ms()}}));
  EXPECT_EQ(p->skipped_lines(), 0u);
}

TEST_F(StdoutMetricParserTest, ATruncatedFileIsReadFromTheStart) {
  auto p = parser();
  append("step=1 loss=3\nstep=2 loss=2\n");
  EXPECT_EQ(p->poll()->size(), 2u);
  std::ofstream(path_, std::ios::trunc) << "step=9 loss=0\n";
  EXPECT_EQ(steps(*p->poll()), (std::vector<int64_t>{9}));
}

TEST_F(StdoutMetricParserTest, BinaryGarbageIsHarmless) {
  auto p = parser();
  std::string garbage;
  for (int i = 0; i < 20000; ++i) garbage += char((i * 7919) % 256);
  append(garbage + "\nstep=4 loss=1\n");
  auto reports = p->poll();
  ASSERT_TRUE(reports.is_ok());
  EXPECT_EQ(reports->back().step, 4);
}

TEST_F(StdoutMetricParserTest, AnInvalidRegexFailsCreation) {
  EXPECT_FALSE(StdoutMetricParser::create(path_, "([", clock_).is_ok());
}

}  // namespace
}  // namespace labsweep::agent
