#include "sweeps/scalar_resolver.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>

namespace labsweep::sweeps {
namespace {

// Longer scalars are never numbers or booleans; the bound also keeps std::regex, which
// recurses per character, away from long input.
constexpr size_t kMaxResolvableLength = 128;

bool matches(std::string_view text, const std::regex& re) {
  return text.size() <= kMaxResolvableLength && std::regex_match(text.begin(), text.end(), re);
}

Result<Value> parse_int(std::string_view text, int base) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (base != 10) text.remove_prefix(2);  // "0x" or "0o"
  // Parse the magnitude as unsigned so that INT64_MIN can be read.
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (ec != std::errc() || end != text.data() + text.size() ||
      magnitude > kMaxPositive + (negative ? 1 : 0)) {
    return out_of_range("integer is too large: labsweep reads integers of up to 64 bits");
  }
  int64_t v = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return Value(v);
}

double parse_float(std::string_view text) {
  std::string s(text);
  // strtod turns overflow into +-inf, which is what Python's float() does too.
  return std::strtod(s.c_str(), nullptr);
}

Value special_float(std::string_view text) {
  if (text.find("nan") != std::string_view::npos || text.find("NaN") != std::string_view::npos ||
      text.find("NAN") != std::string_view::npos) {
    return Value(std::nan(""));
  }
  return Value(text[0] == '-' ? -HUGE_VAL : HUGE_VAL);
}

}  // namespace

Result<Value> resolve_core_scalar(std::string_view text) {
  static const std::regex kNull("null|Null|NULL|~|");
  static const std::regex kTrue("true|True|TRUE");
  static const std::regex kFalse("false|False|FALSE");
  static const std::regex kDecimal("[-+]?[0-9]+");
  static const std::regex kOctal("0o[0-7]+");
  static const std::regex kHex("0x[0-9a-fA-F]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex kSpecial("[-+]?\\.(inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN");

  if (text.size() > kMaxResolvableLength &&
      text.find_first_not_of("0123456789", text[0] == '-' || text[0] == '+' ? 1 : 0) ==
          std::string_view::npos) {
    return parse_int(text, 10);  // too long for any int64: the same error as a shorter one
  }
  if (matches(text, kNull)) return Value();
  if (matches(text, kTrue)) return Value(true);
  if (matches(text, kFalse)) return Value(false);
  if (matches(text, kDecimal)) return parse_int(text, 10);
  if (matches(text, kOctal)) return parse_int(text, 8);
  if (matches(text, kHex)) return parse_int(text, 16);
  if (matches(text, kFloat)) return Value(parse_float(text));
  if (matches(text, kSpecial)) return special_float(text);
  return Value(std::string(text));
}

Result<Value> resolve_tagged_scalar(std::string_view tag, std::string_view text) {
  constexpr std::string_view kLongPrefix = "tag:yaml.org,2002:";
  std::string_view name = tag;
  if (name.starts_with(kLongPrefix)) {
    name.remove_prefix(kLongPrefix.size());
  } else if (name.starts_with("!!")) {
    name.remove_prefix(2);
  } else {
    return invalid_argument("unsupported YAML tag '" + std::string(tag) + "'");
  }
  if (name == "str") return Value(std::string(text));
  Result<Value> core = resolve_core_scalar(text);
  if (!core.is_ok()) return core;
  const Value& v = *core;
  auto mismatch = [&] {
    return invalid_argument("'" + std::string(text) + "' is not a valid !!" + std::string(name));
  };
  if (name == "float") {
    if (v.is_int()) return Value(static_cast<double>(v.as_int()));
    return v.is_float() ? core : mismatch();
  }
  if (name == "int") return v.is_int() ? core : mismatch();
  if (name == "bool") return v.is_bool() ? core : mismatch();
  if (name == "null") return v.is_null() ? core : mismatch();
  return invalid_argument("unsupported YAML tag '" + std::string(tag) + "'");
}

std::optional<std::string> pyyaml_reading_if_different(std::string_view text, const Value& core) {
  // PyYAML's implicit resolvers (resolver.py), tried in its order: bool, float, int, null,
  // timestamp.
  static const std::regex kBool(
      "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|"
      "on|On|ON|off|Off|OFF");
  static const std::regex kFloat(
      "[-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?|"
      "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  static const std::regex kInt(
      "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
      "[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+");
  static const std::regex kTimestamp("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?");
  static const std::regex kPlainDecimal("[-+]?(0|[1-9][0-9]*)");

  if (matches(text, kBool)) {
    bool truth = text[0] == 'y' || text[0] == 'Y' || text[0] == 't' || text[0] == 'T' ||
                 text == "on" || text == "On" || text == "ON";
    if (core.is_bool() && core.as_bool() == truth) return std::nullopt;
    return std::string("the boolean ") + (truth ? "True" : "False");
  }
  if (matches(text, kFloat)) {
    return core.is_float() ? std::nullopt : std::optional<std::string>("a float");
  }
  if (matches(text, kInt)) {
    if (core.is_int() && matches(text, kPlainDecimal)) return std::nullopt;
    if (core.is_int() && text.find("0x") != std::string_view::npos &&
        text.find('_') == std::string_view::npos) {
      return std::nullopt;
    }
    return std::string("an integer in YAML 1.1 notation (octal, binary, sexagesimal or with _)");
  }
  if (matches(text, kTimestamp)) {
    return core.is_string() ? std::optional<std::string>("a date") : std::nullopt;
  }
  if (core.is_string() || core.is_null()) return std::nullopt;
  return std::string("a string");
}

}  // namespace labsweep::sweeps
