#include "sweeps/scalar_resolver.h"

#include <gtest/gtest.h>

#include <cmath>

namespace labsweep::sweeps {
namespace {

Value core(std::string_view text) {
  Result<Value> v = resolve_core_scalar(text);
  EXPECT_TRUE(v.is_ok()) << text;
  return v.is_ok() ? *v : Value();
}

TEST(ScalarResolverTest, ReadsYaml12CoreSchema) {
  EXPECT_EQ(core("null"), Value());
  EXPECT_EQ(core("~"), Value());
  EXPECT_EQ(core(""), Value());
  EXPECT_EQ(core("True"), Value(true));
  EXPECT_EQ(core("FALSE"), Value(false));
  EXPECT_EQ(core("42"), Value(42));
  EXPECT_EQ(core("-7"), Value(-7));
  EXPECT_EQ(core("+3"), Value(3));
  EXPECT_EQ(core("010"), Value(10));  // decimal in YAML 1.2, octal 8 in YAML 1.1
  EXPECT_EQ(core("0o17"), Value(15));
  EXPECT_EQ(core("0x1F"), Value(31));
  EXPECT_EQ(core("1e-5"), Value(1e-5));
  EXPECT_EQ(core("1E5"), Value(1e5));
  EXPECT_EQ(core("1.0e-3"), Value(1e-3));
  EXPECT_EQ(core(".5"), Value(0.5));
  EXPECT_EQ(core("1."), Value(1.0));
  EXPECT_EQ(core("-.inf"), Value(-HUGE_VAL));
  EXPECT_TRUE(std::isnan(core(".NaN").as_float()));
}

TEST(ScalarResolverTest, EverythingElseIsAString) {
  for (const char* text : {"yes", "no", "on", "off", "None", "1_000", "1:30", "2020-01-01", "inf",
                           "nan", "0b101", "1e", "e5", "--1", "1.2.3", "adam"}) {
    EXPECT_EQ(core(text), Value(text)) << text;
  }
}

TEST(ScalarResolverTest, ReadsInt64Limits) {
  EXPECT_EQ(core("9223372036854775807"), Value(INT64_MAX));
  EXPECT_EQ(core("-9223372036854775808"), Value(INT64_MIN));
}

TEST(ScalarResolverTest, RejectsIntegersPast64Bits) {
  for (const char* text : {"9223372036854775808", "-9223372036854775809",
                           "123456789012345678901234567890", "0xFFFFFFFFFFFFFFFFFF"}) {
    Result<Value> v = resolve_core_scalar(text);
    ASSERT_FALSE(v.is_ok()) << text;
    EXPECT_EQ(v.status().message(),
              "integer is too large: labsweep reads integers of up to 64 bits");
  }
}

TEST(ScalarResolverTest, HugeFloatsBecomeInfinity) {
  EXPECT_EQ(core("1e999"), Value(HUGE_VAL));  // as Python's float("1e999")
}

TEST(ScalarResolverTest, ExplicitTags) {
  EXPECT_EQ(*resolve_tagged_scalar("!!float", "1e-5"), Value(1e-5));
  EXPECT_EQ(*resolve_tagged_scalar("tag:yaml.org,2002:float", "3"), Value(3.0));
  EXPECT_EQ(*resolve_tagged_scalar("!!str", "123"), Value("123"));
  EXPECT_EQ(*resolve_tagged_scalar("!!int", "12"), Value(12));
  EXPECT_EQ(*resolve_tagged_scalar("!!bool", "true"), Value(true));
  EXPECT_EQ(resolve_tagged_scalar("!!int", "abc").status().message(), "'abc' is not a valid !!int");
  EXPECT_EQ(resolve_tagged_scalar("!custom", "x").status().message(),
            "unsupported YAML tag '!custom'");
  EXPECT_FALSE(resolve_tagged_scalar("!!python/object", "x").is_ok());
}

std::optional<std::string> pyyaml(std::string_view text) {
  return pyyaml_reading_if_different(text, core(text));
}

TEST(ScalarResolverTest, NamesWherePyYamlReadsDifferently) {
  EXPECT_EQ(pyyaml("1e-5"), "a string");
  EXPECT_EQ(pyyaml("1.0e5"), "a string");  // PyYAML needs a signed exponent
  EXPECT_EQ(pyyaml("-.5"), "a string");
  EXPECT_EQ(pyyaml("0o17"), "a string");
  EXPECT_EQ(pyyaml("yes"), "the boolean True");
  EXPECT_EQ(pyyaml("Off"), "the boolean False");
  EXPECT_EQ(pyyaml("010"),
            "an integer in YAML 1.1 notation (octal, binary, sexagesimal or with _)");
  EXPECT_EQ(pyyaml("1_000"),
            "an integer in YAML 1.1 notation (octal, binary, sexagesimal or with _)");
  EXPECT_EQ(pyyaml("1:30"),
            "an integer in YAML 1.1 notation (octal, binary, sexagesimal or with _)");
  EXPECT_EQ(pyyaml("0b101"),
            "an integer in YAML 1.1 notation (octal, binary, sexagesimal or with _)");
  EXPECT_EQ(pyyaml("2020-01-01"), "a date");
}

TEST(ScalarResolverTest, SilentWhereBothAgree) {
  for (const char* text : {"1.0e-5", "1.e-3", ".5", "0.001", "42", "-3", "0x1F", "true", "False",
                           "null", "~", "", "adam", ".inf", "-.inf", ".nan", "1e", "None"}) {
    EXPECT_EQ(pyyaml(text), std::nullopt) << text;
  }
}

TEST(ScalarResolverTest, LongScalarsAreStrings) {
  std::string digits(10'000, '1');
  std::string text = digits + "x";
  EXPECT_EQ(core(text), Value(text));
  EXPECT_EQ(pyyaml(text), std::nullopt);
}

}  // namespace
}  // namespace labsweep::sweeps

namespace labsweep::sweeps {
namespace {

TEST(ScalarResolverTest, VeryLongIntegersAreTooLargeNotStrings) {
  EXPECT_FALSE(resolve_core_scalar(std::string(10'000, '7')).is_ok());
}

}  // namespace
}  // namespace labsweep::sweeps
