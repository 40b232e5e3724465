#include "sweeps/python_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <system_error>

namespace labsweep::sweeps {

namespace {

// ---- Floats ------------------------------------------------------------------------------

// A finite non-negative double as Python's dtoa sees it: value = 0.d1d2...dn × 10^decpt.
struct ShortestDigits {
  std::string digits;
  int decpt = 0;
};

ShortestDigits shortest_digits(double x) {
  // to_chars without a precision gives the shortest string that round-trips, choosing the
  // closest such string, as Python's repr (dtoa mode 0) does. Scientific form makes the
  // digits and the exponent easy to pick apart: "1.2345e+17", "5e-324", "0e+00".
  std::array<char, 64> buf;
  const char* end =
      std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::scientific).ptr;
  std::string_view text(buf.data(), static_cast<size_t>(end - buf.data()));
  size_t e = text.find('e');
  ShortestDigits out;
  for (char c : text.substr(0, e)) {
    if (c != '.') out.digits += c;
  }
  std::string_view exponent = text.substr(e + 1);
  if (exponent.front() == '+') exponent.remove_prefix(1);  // from_chars rejects a '+'.
  int exp10 = 0;
  std::from_chars(exponent.data(), exponent.data() + exponent.size(), exp10);
  out.decpt = exp10 + 1;
  return out;
}

// "1e-05", "1.5e+16": Python's mantissa has no trailing ".0" and its exponent a sign and at
// least two digits.
std::string layout_scientific(const ShortestDigits& d) {
  std::string out(1, d.digits[0]);
  if (d.digits.size() > 1) out += "." + d.digits.substr(1);
  int exp10 = d.decpt - 1;
  out += exp10 < 0 ? "e-" : "e+";
  std::string magnitude = std::to_string(exp10 < 0 ? -exp10 : exp10);
  if (magnitude.size() < 2) magnitude.insert(0, "0");
  return out + magnitude;
}

// "0.0001", "123.456", "100.0": Python always shows a fractional part so that the text reads
// back as a float.
std::string layout_fixed(const ShortestDigits& d) {
  const int n = static_cast<int>(d.digits.size());
  if (d.decpt <= 0) return "0." + std::string(-d.decpt, '0') + d.digits;
  if (d.decpt < n) return d.digits.substr(0, d.decpt) + "." + d.digits.substr(d.decpt);
  return d.digits + std::string(d.decpt - n, '0') + ".0";
}

// ---- UTF-8 -------------------------------------------------------------------------------

// One step through a string: a code point, or a single byte that is not valid UTF-8.
struct Decoded {
  char32_t code_point = 0;
  size_t length = 1;
  bool valid = true;
};

bool is_continuation(unsigned char b, unsigned char min = 0x80, unsigned char max = 0xbf) {
  return b >= min && b <= max;
}

// Strict decoding (RFC 3629): overlong forms, surrogates and code points past U+10FFFF are
// invalid, and so is each byte of a broken sequence, on its own.
Decoded decode_utf8(std::string_view s, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[pos + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {lead, 1, true};
  size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  if (lead >= 0xe0 && lead <= 0xef) length = 3;
  if (lead >= 0xf0 && lead <= 0xf4) length = 4;
  if (lead == 0xe0) second_min = 0xa0;  // Overlong below U+0800.
  if (lead == 0xed) second_max = 0x9f;  // Surrogates U+D800-U+DFFF.
  if (lead == 0xf0) second_min = 0x90;  // Overlong below U+10000.
  if (lead == 0xf4) second_max = 0x8f;  // Past U+10FFFF.
  const Decoded invalid{lead, 1, false};
  if (length == 0 || pos + length > s.size()) return invalid;
  if (!is_continuation(byte(1), second_min, second_max)) return invalid;
  char32_t cp = lead & (0xff >> (length + 1));
  for (size_t i = 1; i < length; ++i) {
    if (!is_continuation(byte(i))) return invalid;
    cp = (cp << 6) | (byte(i) & 0x3f);
  }
  return {cp, length, true};
}

void append_hex(std::string& out, uint32_t value, int width) {
  static constexpr char kHex[] = "0123456789abcdef";  // Python writes lower-case escapes.
  for (int shift = 4 * (width - 1); shift >= 0; shift -= 4) out += kHex[(value >> shift) & 0xf];
}

// ---- repr(str) ---------------------------------------------------------------------------

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// The non-ASCII code points Python's str.isprintable rejects: every assigned code point of
// categories Cc, Cf, Co, Zs (but space), Zl and Zp as of Unicode 14 (Python 3.11), plus
// unassigned code points that will stay so (noncharacters) or were empty through Unicode 15
// (planes 4-13, most of plane 14). Approximation: other unassigned code points, which Python
// also escapes, are kept, since which ones are unassigned depends on Python's Unicode version.
// Every assigned code point was checked against Python 3.11's repr().
constexpr CodePointRange kUnprintable[] = {
    {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},     {0x61c, 0x61c},
    {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},     {0x8e2, 0x8e2},
    {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},   {0x2028, 0x202f},
    {0x205f, 0x206f},   {0x3000, 0x3000},   {0xe000, 0xf8ff},   {0xfdd0, 0xfdef},
    {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0xfffe, 0xffff},   {0x110bd, 0x110bd},
    {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
    {0x1fffe, 0x1ffff}, {0x2fffe, 0x2ffff}, {0x3fffe, 0xe00ff}, {0xe01f0, 0x10ffff},
};

bool is_printable_non_ascii(char32_t cp) {
  for (const CodePointRange& range : kUnprintable) {
    if (cp >= range.first && cp <= range.last) return false;
  }
  return true;
}

// Python prefers single quotes and switches to double ones only when that avoids escaping.
char choose_quote(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  return has_single && !has_double ? '"' : '\'';
}

// The escape Python's repr writes for an unprintable code point: the shortest of \x, \u, \U.
void append_numeric_escape(std::string& out, char32_t cp) {
  if (cp <= 0xff) {
    out += "\\x";
    append_hex(out, cp, 2);
  } else if (cp <= 0xffff) {
    out += "\\u";
    append_hex(out, cp, 4);
  } else {
    out += "\\U";
    append_hex(out, cp, 8);
  }
}

void append_repr_ascii(std::string& out, char c, char quote) {
  if (c == quote || c == '\\') {
    out += '\\';
    out += c;
  } else if (c == '\n') {
    out += "\\n";
  } else if (c == '\r') {
    out += "\\r";
  } else if (c == '\t') {
    out += "\\t";
  } else if (c < 0x20 || c == 0x7f) {
    append_numeric_escape(out, static_cast<unsigned char>(c));
  } else {
    out += c;
  }
}

std::string quote_python_string(std::string_view s) {
  const char quote = choose_quote(s);
  std::string out(1, quote);
  for (size_t pos = 0; pos < s.size();) {
    const Decoded d = decode_utf8(s, pos);
    if (!d.valid) {
      // Python never holds such a string; show the byte rather than fail.
      append_numeric_escape(out, d.code_point);
    } else if (d.code_point < 0x80) {
      append_repr_ascii(out, static_cast<char>(d.code_point), quote);
    } else if (is_printable_non_ascii(d.code_point)) {
      out.append(s.substr(pos, d.length));
    } else {
      append_numeric_escape(out, d.code_point);
    }
    pos += d.length;
  }
  return out + quote;
}

// ---- json.dumps(str) ---------------------------------------------------------------------

void append_json_u_escape(std::string& out, char32_t cp) {
  if (cp > 0xffff) {
    // JSON's \u holds 16 bits, so ensure_ascii writes a UTF-16 surrogate pair.
    const char32_t v = cp - 0x10000;
    append_json_u_escape(out, 0xd800 + (v >> 10));
    append_json_u_escape(out, 0xdc00 + (v & 0x3ff));
    return;
  }
  out += "\\u";
  append_hex(out, cp, 4);
}

// Python's encoder (c_encode_basestring_ascii) passes ' ' to '~' through except '"' and '\\',
// names five control characters, and writes everything else, 0x7f included, as \uXXXX.
void append_json_code_point(std::string& out, char32_t cp) {
  switch (cp) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
  }
  if (cp >= ' ' && cp <= '~') {
    out += static_cast<char>(cp);
  } else {
    append_json_u_escape(out, cp);
  }
}

std::string quote_json_string(std::string_view s) {
  std::string out = "\"";
  for (size_t pos = 0; pos < s.size();) {
    const Decoded d = decode_utf8(s, pos);
    // Python never holds invalid UTF-8; the replacement character keeps the output valid JSON.
    append_json_code_point(out, d.valid ? d.code_point : U'\uFFFD');
    pos += d.length;
  }
  return out + "\"";
}

// ---- Trees -------------------------------------------------------------------------------

// repr() and json.dumps() lay out lists and dicts alike ("[a, b]", "{k: v}"); they differ in
// the scalars, the string quoting included.
enum class Dialect { kRepr, kJson };

std::string format_float(double x, Dialect dialect) {
  if (dialect == Dialect::kRepr || std::isfinite(x)) return python_float_repr(x);
  if (std::isnan(x)) return "NaN";
  return x < 0 ? "-Infinity" : "Infinity";
}

std::string quote_string(std::string_view s, Dialect dialect) {
  return dialect == Dialect::kRepr ? quote_python_string(s) : quote_json_string(s);
}

std::string format_value(const Value& v, Dialect dialect);

std::string format_list(const List& list, Dialect dialect) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    out += format_value(list[i], dialect);
  }
  return out + "]";
}

std::string format_map(const Map& map, Dialect dialect) {
  std::string out = "{";
  for (size_t i = 0; i < map.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote_string(map[i].first, dialect) + ": " + format_value(map[i].second, dialect);
  }
  return out + "}";
}

std::string format_value(const Value& v, Dialect dialect) {
  const bool json = dialect == Dialect::kJson;
  switch (v.kind()) {
    case ValueKind::kNull:
      return json ? "null" : "None";
    case ValueKind::kBool:
      if (json) return v.as_bool() ? "true" : "false";
      return v.as_bool() ? "True" : "False";
    case ValueKind::kInt:
      return std::to_string(v.as_int());
    case ValueKind::kFloat:
      return format_float(v.as_float(), dialect);
    case ValueKind::kString:
      return quote_string(v.as_string(), dialect);
    case ValueKind::kList:
      return format_list(v.as_list(), dialect);
    case ValueKind::kMap:
      return format_map(v.as_map(), dialect);
  }
  return "";
}

}  // namespace

std::string python_float_repr(double x) {
  if (std::isnan(x)) return "nan";  // Python drops the sign of a NaN.
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  if (std::signbit(x)) return "-" + python_float_repr(-x);  // -0.0 keeps its sign.
  const ShortestDigits d = shortest_digits(x);
  // The thresholds of Python's float_repr_style 'short' (format_float_short with mode 'r').
  if (d.decpt <= -4 || d.decpt > 16) return layout_scientific(d);
  return layout_fixed(d);
}

std::string python_str(const Value& v) {
  // str() and repr() differ only on a top-level string; containers repr() their elements.
  if (v.is_string()) return v.as_string();
  return format_value(v, Dialect::kRepr);
}

std::string python_repr(const Value& v) { return format_value(v, Dialect::kRepr); }

std::string python_json_dumps(const Value& v) { return format_value(v, Dialect::kJson); }

}  // namespace labsweep::sweeps
