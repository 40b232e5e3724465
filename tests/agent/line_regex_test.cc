#include "agent/line_regex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using V = std::vector<std::string>;

// Every match's groups as strings, "<unset>" for a group that took no part.
std::vector<V> matches(const LineRegex& re, std::string_view line) {
  std::vector<V> out;
  re.for_each_match(line, [&](const LineRegex::Match& m) {
    EXPECT_EQ(m.groups.size(), std::size_t(re.group_count()) + 1);
    EXPECT_EQ(m.matched.size(), m.groups.size());
    V groups;
    for (std::size_t g = 0; g < m.groups.size(); ++g) {
      groups.push_back(m.matched[g] ? std::string(m.groups[g]) : "<unset>");
    }
    out.push_back(groups);
    return LineRegex::Next::kMore;
  });
  return out;
}

LineRegex compile(const std::string& pattern) {
  Result<LineRegex> re = LineRegex::compile(pattern);
  EXPECT_TRUE(re.is_ok()) << re.status().message();
  return std::move(re).value();
}

std::string error_of(const std::string& pattern) {
  Result<LineRegex> re = LineRegex::compile(pattern);
  EXPECT_FALSE(re.is_ok()) << pattern;
  return re.is_ok() ? "" : re.status().message();
}

TEST(LineRegexTest, FindsEveryMatchLeftToRight) {
  LineRegex re = compile(R"((\w+)=([-+.0-9eE]+|nan))");
  EXPECT_EQ(re.group_count(), 2);
  EXPECT_THAT(matches(re, "step=3 loss=0.41 x acc=nan"),
              ElementsAre(V{"step=3", "step", "3"}, V{"loss=0.41", "loss", "0.41"},
                          V{"acc=nan", "acc", "nan"}));
  EXPECT_THAT(matches(re, "no metrics"), IsEmpty());
  EXPECT_THAT(matches(re, ""), IsEmpty());
}

TEST(LineRegexTest, AlternativesAreTriedInOrderAndQuantifiersAreGreedy) {
  // Leftmost-first, as Perl and Python: "nan" wins over "n" because it comes first.
  LineRegex re = compile(R"((a)=(nan|n|[0-9]+))");
  EXPECT_THAT(matches(re, "a=nan a=123"),
              ElementsAre(V{"a=nan", "a", "nan"}, V{"a=123", "a", "123"}));
  LineRegex lazy = compile(R"((\w)=(\d+?))");
  EXPECT_THAT(matches(lazy, "x=42"), ElementsAre(V{"x=4", "x", "4"}));
}

TEST(LineRegexTest, GroupsThatTakeNoPartAreToldFromEmptyOnes) {
  LineRegex re = compile(R"((\w+)=([0-9.]+)(?: @(\d+))?)");
  EXPECT_EQ(re.group_count(), 3);
  EXPECT_THAT(matches(re, "a=1 @4 b=2"),
              ElementsAre(V{"a=1 @4", "a", "1", "4"}, V{"b=2", "b", "2", "<unset>"}));
  LineRegex empty = compile(R"((\w*)=(x?))");
  EXPECT_THAT(matches(empty, "=|a=x"), ElementsAre(V{"=", "", ""}, V{"a=x", "a", "x"}));
  // Named groups, in Python's spelling, count as groups.
  EXPECT_EQ(compile(R"((?P<name>\w+)=(?P<value>\d+))").group_count(), 2);
}

TEST(LineRegexTest, EmptyMatchesMoveOnByOneCharacter) {
  LineRegex re = compile(R"((x*)(y*))");
  // Before a, before b, at the end.
  EXPECT_THAT(matches(re, "ab"), ElementsAre(V{"", "", ""}, V{"", "", ""}, V{"", "", ""}));
  // After a non-empty match the search resumes where it ended.
  EXPECT_THAT(matches(re, "xxa"), ElementsAre(V{"xx", "xx", ""}, V{"", "", ""}, V{"", "", ""}));
  // "é" and "€" are one character each: no empty match falls inside them.
  EXPECT_EQ(matches(re, "\xC3\xA9\xE2\x82\xAC").size(), 3u);
  // A stray or truncated UTF-8 byte is one character too.
  EXPECT_EQ(matches(re, "\xA9\xE2\x82").size(), 3u);
  EXPECT_EQ(matches(re, std::string_view()).size(), 1u);
}

TEST(LineRegexTest, AnchorsAndWordBoundariesSeeTheWholeLine) {
  LineRegex start = compile(R"(^(\w)(\w))");
  EXPECT_THAT(matches(start, "abcd"), ElementsAre(V{"ab", "a", "b"}));  // not "cd" as well
  LineRegex word = compile(R"(\b(\w)(\w))");
  EXPECT_THAT(matches(word, "abcd ef"), ElementsAre(V{"ab", "a", "b"}, V{"ef", "e", "f"}));
}

TEST(LineRegexTest, BytesThatAreNotUtf8AreHarmless) {
  LineRegex re = compile(R"((\w+)=(\d+))");
  std::string line = "\xFF\xFEloss=1\x80\xC3 acc=2\xC3";
  line += std::string("\0x=3", 4);
  EXPECT_THAT(matches(re, line),
              ElementsAre(V{"loss=1", "loss", "1"}, V{"acc=2", "acc", "2"}, V{"x=3", "x", "3"}));
}

TEST(LineRegexTest, SyntaxErrorsNameThePatternAndTheReason) {
  EXPECT_EQ(error_of("(unclosed"),
            "stdout_regex '(unclosed' is not a valid regular expression (RE2 syntax): "
            "missing ): (unclosed");
  EXPECT_THAT(error_of("a**"), HasSubstr("bad repetition operator: **"));
  EXPECT_THAT(error_of("[z-a]"), HasSubstr("invalid character class range: z-a"));
}

TEST(LineRegexTest, WhatRe2DoesNotTakeIsRefusedNotMisread) {
  // Backreferences, lookaround and atomic groups need backtracking, which RE2 leaves out.
  EXPECT_THAT(error_of(R"((\w+)=(\d+) \1)"), HasSubstr("invalid escape sequence: \\1"));
  EXPECT_THAT(error_of(R"((\w+)=(?=\d)(\d+))"), HasSubstr("invalid perl operator: (?="));
  EXPECT_THAT(error_of(R"((?<=x)(\w+)=(\d+))"), HasSubstr("invalid perl operator: (?<"));
  EXPECT_THAT(error_of(R"((?>\w+)=(\d+))"), HasSubstr("invalid perl operator: (?>"));
  EXPECT_THAT(error_of(R"((\w++)=(\d+))"), HasSubstr("bad repetition operator: ++"));
  // Python's `\Z` is RE2's `\z`.
  EXPECT_THAT(error_of(R"((\w+)=(\d+)\Z)"), HasSubstr("invalid escape sequence: \\Z"));
  EXPECT_EQ(compile(R"((\w+)=(\d+)\z)").group_count(), 2);
}

TEST(LineRegexTest, PatternsTooBigAreRefusedWhenCompiled) {
  EXPECT_THAT(error_of(R"((\w{1000}){2})"), HasSubstr("invalid repetition size: {2}"));
  std::string big;
  for (int i = 0; i < 20; ++i) big += R"(\pL{1000})";
  EXPECT_THAT(error_of(big), HasSubstr("pattern too large - compile failed"));
}

// A backtracking engine takes exponential or quadratic time on these; RE2 takes linear time.
// No timing is asserted (the suite's timeout is the guard): each must simply finish and be right.
TEST(LineRegexTest, PathologicalPatternsOverALongLineAreRight) {
  const std::string as(65536, 'a');
  LineRegex nested = compile(R"(((a*)*)(b))");
  EXPECT_THAT(matches(nested, as), IsEmpty());
  auto found = matches(nested, as + "b");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0][0].size(), as.size() + 1);
  EXPECT_EQ(found[0][3], "b");

  LineRegex no_literal = compile(R"((\w+)\s*(\d+))");
  EXPECT_THAT(matches(no_literal, as), IsEmpty());
  auto digit_at_end = matches(no_literal, as + "7");
  ASSERT_EQ(digit_at_end.size(), 1u);
  EXPECT_EQ(digit_at_end[0][1], as);
  EXPECT_EQ(digit_at_end[0][2], "7");

  std::string pairs;
  for (int i = 0; i < 8192; ++i) pairs += "k" + std::to_string(i % 10) + "=" + "7 ";
  LineRegex kv = compile(R"(([A-Za-z_][\w./-]*)=([0-9.]+))");
  auto all = matches(kv, pairs);
  ASSERT_EQ(all.size(), 8192u);
  EXPECT_EQ(all.back(), (V{"k1=7", "k1", "7"}));
}

TEST(LineRegexTest, TheCallerMayStopTheSearch) {
  LineRegex re = compile(R"((\w)(\d))");
  std::vector<std::string> seen;
  re.for_each_match("a1 b2 c3 d4", [&](const LineRegex::Match& m) {
    seen.emplace_back(m.groups[0]);
    return seen.size() == 2 ? LineRegex::Next::kStop : LineRegex::Next::kMore;
  });
  EXPECT_THAT(seen, ElementsAre("a1", "b2"));
}

TEST(LineRegexTest, MovedFromIsReplaceable) {
  LineRegex a = compile(R"((a)(b))");
  LineRegex b = std::move(a);
  a = compile(R"((c)(d)(e))");
  EXPECT_EQ(a.group_count(), 3);
  EXPECT_THAT(matches(b, "xab"), ElementsAre(V{"ab", "a", "b"}));
}

}  // namespace
}  // namespace labsweep::agent
