#include "sweeps/python_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace labsweep::sweeps {
namespace {

using std::string_literals::operator""s;

// Every expected string below was printed by Python 3.11 (repr(), str(), json.dumps()).

std::string repr_of(std::string s) { return python_repr(Value(std::move(s))); }
std::string json_of(std::string s) { return python_json_dumps(Value(std::move(s))); }

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(PythonFloatReprTest, FixedNotationAlwaysShowsAFraction) {
  EXPECT_EQ(python_float_repr(0.0), "0.0");
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(3.0), "3.0");
  EXPECT_EQ(python_float_repr(-3.0), "-3.0");
  EXPECT_EQ(python_float_repr(100.0), "100.0");
  EXPECT_EQ(python_float_repr(0.5), "0.5");
  EXPECT_EQ(python_float_repr(1.5), "1.5");
  EXPECT_EQ(python_float_repr(-3.75), "-3.75");
  EXPECT_EQ(python_float_repr(123456.789), "123456.789");
  EXPECT_EQ(python_float_repr(9007199254740992.0), "9007199254740992.0");
}

TEST(PythonFloatReprTest, ShortestRoundTripDigits) {
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(-0.1), "-0.1");
  EXPECT_EQ(python_float_repr(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(python_float_repr(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(1234567890123456.7), "1234567890123456.8");
}

TEST(PythonFloatReprTest, SwitchesToScientificAtSeventeenIntegerDigits) {
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(-1e16), "-1e+16");
  EXPECT_EQ(python_float_repr(1.5e16), "1.5e+16");
  EXPECT_EQ(python_float_repr(12345678901234567.0), "1.2345678901234568e+16");
  EXPECT_EQ(python_float_repr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(python_float_repr(1e17), "1e+17");
  EXPECT_EQ(python_float_repr(9223372036854775808.0), "9.223372036854776e+18");
  EXPECT_EQ(python_float_repr(1e21), "1e+21");
  EXPECT_EQ(python_float_repr(1e22), "1e+22");
  EXPECT_EQ(python_float_repr(1e23), "1e+23");
  EXPECT_EQ(python_float_repr(1e100), "1e+100");
}

TEST(PythonFloatReprTest, SwitchesToScientificBelowOneTenThousandth) {
  EXPECT_EQ(python_float_repr(0.001), "0.001");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(-0.0001), "-0.0001");
  EXPECT_EQ(python_float_repr(0.00011), "0.00011");
  EXPECT_EQ(python_float_repr(0.00012345), "0.00012345");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(9.999e-5), "9.999e-05");
  EXPECT_EQ(python_float_repr(-2.5e-07), "-2.5e-07");
  EXPECT_EQ(python_float_repr(2.5e-8), "2.5e-08");
  EXPECT_EQ(python_float_repr(1e-7), "1e-07");
  EXPECT_EQ(python_float_repr(1e-100), "1e-100");
}

TEST(PythonFloatReprTest, ExtremesAndSubnormals) {
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(-5e-324), "-5e-324");
  EXPECT_EQ(python_float_repr(1e-323), "1e-323");
  EXPECT_EQ(python_float_repr(2.2250738585072014e-308), "2.2250738585072014e-308");
  EXPECT_EQ(python_float_repr(2.225073858507201e-308), "2.225073858507201e-308");
  EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(python_float_repr(-1.7976931348623157e308), "-1.7976931348623157e+308");
}

TEST(PythonFloatReprTest, SpecialValues) {
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(kNan), "nan");
  EXPECT_EQ(python_float_repr(-kNan), "nan");
  EXPECT_EQ(python_float_repr(kInf), "inf");
  EXPECT_EQ(python_float_repr(-kInf), "-inf");
}

TEST(PythonStrTest, Scalars) {
  EXPECT_EQ(python_str(Value()), "None");
  EXPECT_EQ(python_str(Value(true)), "True");
  EXPECT_EQ(python_str(Value(false)), "False");
  EXPECT_EQ(python_str(Value(0)), "0");
  EXPECT_EQ(python_str(Value(-42)), "-42");
  EXPECT_EQ(python_str(Value(std::numeric_limits<int64_t>::max())), "9223372036854775807");
  EXPECT_EQ(python_str(Value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(python_str(Value(3.0)), "3.0");
  EXPECT_EQ(python_str(Value(1e-5)), "1e-05");
  EXPECT_EQ(python_str(Value(kNan)), "nan");
  EXPECT_EQ(python_str(Value(-kInf)), "-inf");
}

TEST(PythonStrTest, StringsAreRaw) {
  EXPECT_EQ(python_str(Value("")), "");
  EXPECT_EQ(python_str(Value("adam")), "adam");
  EXPECT_EQ(python_str(Value(R"(it's "x" \n)")), R"(it's "x" \n)");
  EXPECT_EQ(python_str(Value("a\nb\t\x01 é 😀"s)), "a\nb\t\x01 é 😀"s);
}

TEST(PythonStrTest, ContainersReprTheirElements) {
  const Value list(List{Value(1), Value("a"), Value(), Value(2.5), Value(List{Value(true)})});
  EXPECT_EQ(python_str(list), "[1, 'a', None, 2.5, [True]]");
  const Value map(Map{{"lr", Value(0.1)}, {"b", Value(Map{{"c", Value(2)}})}});
  EXPECT_EQ(python_str(map), "{'lr': 0.1, 'b': {'c': 2}}");
  EXPECT_EQ(python_str(Value(List{Value("it's"), Value("a\nb")})), R"(["it's", 'a\nb'])");
  EXPECT_EQ(python_str(Value(Map{{"it's", Value(false)}})), R"({"it's": False})");
  EXPECT_EQ(python_str(Value(List{Value(kNan), Value(kInf), Value(-kInf), Value(1e16)})),
            "[nan, inf, -inf, 1e+16]");
}

TEST(PythonStrTest, EmptyContainers) {
  EXPECT_EQ(python_str(Value(List{})), "[]");
  EXPECT_EQ(python_str(Value(Map{})), "{}");
  EXPECT_EQ(python_str(Value(List{Value(List{}), Value(Map{})})), "[[], {}]");
}

TEST(PythonStrTest, MapsKeepInsertionOrder) {
  const Value map(Map{{"z", Value(1)}, {"a", Value(2)}, {"m", Value(List{Value(3), Value(4)})}});
  EXPECT_EQ(python_str(map), "{'z': 1, 'a': 2, 'm': [3, 4]}");
}

TEST(PythonReprTest, NonStringsMatchStr) {
  EXPECT_EQ(python_repr(Value()), "None");
  EXPECT_EQ(python_repr(Value(true)), "True");
  EXPECT_EQ(python_repr(Value(-7)), "-7");
  EXPECT_EQ(python_repr(Value(0.0001)), "0.0001");
  EXPECT_EQ(python_repr(Value(List{Value("a"), Value(Map{{"k", Value()}})})), "['a', {'k': None}]");
}

TEST(PythonReprTest, ChoosesQuotes) {
  EXPECT_EQ(repr_of(""), "''");
  EXPECT_EQ(repr_of("abc"), "'abc'");
  EXPECT_EQ(repr_of("it's"), R"("it's")");
  EXPECT_EQ(repr_of("'"), R"("'")");
  EXPECT_EQ(repr_of(R"(say "hi")"), R"('say "hi"')");
  EXPECT_EQ(repr_of(R"(")"), R"('"')");
  EXPECT_EQ(repr_of(R"(both ' and ")"), R"('both \' and "')");
}

TEST(PythonReprTest, EscapesAsciiControls) {
  EXPECT_EQ(repr_of(R"(a\b)"), R"('a\\b')");
  EXPECT_EQ(repr_of("line\nfeed\rret\ttab"), R"('line\nfeed\rret\ttab')");
  EXPECT_EQ(repr_of("\x00\x01\x1b\x1f\x7f"s), R"('\x00\x01\x1b\x1f\x7f')");
  EXPECT_EQ(repr_of("\b\f\v"), R"('\x08\x0c\x0b')");
}

TEST(PythonReprTest, KeepsPrintableNonAscii) {
  EXPECT_EQ(repr_of("é"), "'é'");
  EXPECT_EQ(repr_of("日本語"), "'日本語'");
  EXPECT_EQ(repr_of("😀"), "'😀'");
  EXPECT_EQ(repr_of("¡¬®⁰‧"), "'¡¬®⁰‧'");
  EXPECT_EQ(repr_of("\xef\xbf\xbc\xef\xbf\xbd"), "'\xef\xbf\xbc\xef\xbf\xbd'");  // U+FFFC, U+FFFD.
}

TEST(PythonReprTest, EscapesLatin1ControlsAndSpaces) {
  EXPECT_EQ(repr_of("\xc2\x80\xc2\x9f"), R"('\x80\x9f')");
  EXPECT_EQ(repr_of("\xc2\xa0\xc2\xad"), R"('\xa0\xad')");
}

TEST(PythonReprTest, EscapesSeparatorsAndFormatCharacters) {
  EXPECT_EQ(repr_of("\xe1\x9a\x80\xe1\xa0\x8e"), R"('\u1680\u180e')");
  EXPECT_EQ(repr_of("\xe2\x80\x80\xe2\x80\x8a\xe2\x80\x8b\xe2\x80\x8f"),
            R"('\u2000\u200a\u200b\u200f')");
  EXPECT_EQ(repr_of("\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa\xe2\x80\xaf"),
            R"('\u2028\u2029\u202a\u202f')");
  EXPECT_EQ(repr_of("\xe2\x81\x9f\xe2\x81\xa4\xe2\x81\xa5\xe2\x81\xa6\xe2\x81\xaf"),
            R"('\u205f\u2064\u2065\u2066\u206f')");
  EXPECT_EQ(repr_of("\xe3\x80\x80\xef\xbb\xbf\xef\xbf\xb9\xef\xbf\xbb"),
            R"('\u3000\ufeff\ufff9\ufffb')");
  EXPECT_EQ(repr_of("\xd8\x80\xd8\x85"), R"('\u0600\u0605')");  // Arabic number signs.
  EXPECT_EQ(repr_of("\xf3\xa0\x80\x81"), R"('\U000e0001')");    // Language tag.
}

TEST(PythonReprTest, EscapesPrivateUse) {
  EXPECT_EQ(repr_of("\xee\x80\x80\xef\xa3\xbf"), R"('\ue000\uf8ff')");
  EXPECT_EQ(repr_of("\xf3\xb0\x80\x80\xf4\x8f\xbf\xbd"), R"('\U000f0000\U0010fffd')");
}

TEST(PythonReprTest, EscapesEachInvalidUtf8Byte) {
  EXPECT_EQ(repr_of("a\xff"
                    "b"),
            R"('a\xffb')");
  EXPECT_EQ(repr_of("\xc3"), R"('\xc3')");                          // Truncated.
  EXPECT_EQ(repr_of("\xc0\xaf"), R"('\xc0\xaf')");                  // Overlong '/'.
  EXPECT_EQ(repr_of("\xe0\x80\xaf"), R"('\xe0\x80\xaf')");          // Overlong '/'.
  EXPECT_EQ(repr_of("\xed\xa0\x80"), R"('\xed\xa0\x80')");          // Surrogate.
  EXPECT_EQ(repr_of("\xf4\x90\x80\x80"), R"('\xf4\x90\x80\x80')");  // Past U+10FFFF.
  EXPECT_EQ(repr_of("\xe2\x82"
                    "x\xc3\xa9"),
            "'\\xe2\\x82x\xc3\xa9'");  // Then valid "xé".
}

TEST(PythonReprTest, QuotesKeysAndNestedStrings) {
  const Value map(Map{{"name", Value("it's")}, {"tab\there", Value(List{Value("é\n")})}});
  EXPECT_EQ(python_repr(map), R"({'name': "it's", 'tab\there': ['é\n']})");
}

TEST(PythonJsonDumpsTest, Scalars) {
  EXPECT_EQ(python_json_dumps(Value()), "null");
  EXPECT_EQ(python_json_dumps(Value(true)), "true");
  EXPECT_EQ(python_json_dumps(Value(false)), "false");
  EXPECT_EQ(python_json_dumps(Value(-42)), "-42");
  EXPECT_EQ(python_json_dumps(Value(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
}

TEST(PythonJsonDumpsTest, FloatsUseRepr) {
  EXPECT_EQ(python_json_dumps(Value(3.0)), "3.0");
  EXPECT_EQ(python_json_dumps(Value(1e-5)), "1e-05");
  EXPECT_EQ(python_json_dumps(Value(0.1 + 0.2)), "0.30000000000000004");
  EXPECT_EQ(python_json_dumps(Value(1e16)), "1e+16");
  EXPECT_EQ(python_json_dumps(Value(-0.0)), "-0.0");
  EXPECT_EQ(python_json_dumps(Value(5e-324)), "5e-324");
}

TEST(PythonJsonDumpsTest, NonFiniteFloats) {
  EXPECT_EQ(python_json_dumps(Value(kNan)), "NaN");
  EXPECT_EQ(python_json_dumps(Value(-kNan)), "NaN");
  EXPECT_EQ(python_json_dumps(Value(kInf)), "Infinity");
  EXPECT_EQ(python_json_dumps(Value(-kInf)), "-Infinity");
}

// With ensure_ascii, Python's encoder escapes 0x7f too (only ' ' to '~' pass through).
TEST(PythonJsonDumpsTest, EscapesStrings) {
  EXPECT_EQ(json_of(""), R"("")");
  EXPECT_EQ(json_of("abc"), R"("abc")");
  EXPECT_EQ(json_of(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(json_of("it's"), R"("it's")");
  EXPECT_EQ(json_of(R"(a\b/c)"), R"("a\\b/c")");
  EXPECT_EQ(json_of("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(json_of("\x00\x01\x1f\x7f"s), R"("\u0000\u0001\u001f\u007f")");
}

TEST(PythonJsonDumpsTest, EnsureAsciiEscapesNonAscii) {
  EXPECT_EQ(json_of("é日本語"), R"("\u00e9\u65e5\u672c\u8a9e")");
  EXPECT_EQ(json_of("\xc2\x80"), R"("\u0080")");
  EXPECT_EQ(json_of("\xc2\xa0\xef\xbb\xbf"), R"("\u00a0\ufeff")");
  EXPECT_EQ(json_of("😀"), R"("\ud83d\ude00")");
  EXPECT_EQ(json_of("\xf4\x8f\xbf\xbf"), R"("\udbff\udfff")");  // U+10FFFF.
}

TEST(PythonJsonDumpsTest, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(json_of("a\xff"
                    "b\xc3"),
            R"("a\ufffdb\ufffd")");
}

TEST(PythonJsonDumpsTest, Containers) {
  const Value list(List{Value(1), Value("a"), Value(), Value(2.5), Value(List{Value(true)})});
  EXPECT_EQ(python_json_dumps(list), R"([1, "a", null, 2.5, [true]])");
  const Value map(Map{{"lr", Value(0.1)}, {"b", Value(Map{{"c", Value(2)}})}});
  EXPECT_EQ(python_json_dumps(map), R"({"lr": 0.1, "b": {"c": 2}})");
  EXPECT_EQ(python_json_dumps(Value(List{})), "[]");
  EXPECT_EQ(python_json_dumps(Value(Map{})), "{}");
  EXPECT_EQ(python_json_dumps(Value(List{Value(1e-5), Value(3.0), Value(kNan), Value(-kInf)})),
            "[1e-05, 3.0, NaN, -Infinity]");
}

TEST(PythonJsonDumpsTest, KeysAreEscapedAndKeepInsertionOrder) {
  const Value map(Map{{"z\"é", Value(1)}, {"a", Value(Map{})}, {"m", Value(List{})}});
  EXPECT_EQ(python_json_dumps(map), R"({"z\"\u00e9": 1, "a": {}, "m": []})");
}

}  // namespace
}  // namespace labsweep::sweeps
