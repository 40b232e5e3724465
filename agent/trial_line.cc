#include "agent/trial_line.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

namespace labsweep::agent {
namespace {

using nlohmann::json;

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
// Checked before JSON parsing so that the error says so plainly, also for bytes outside strings.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    unsigned char lead = byte(0);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (lead < 0xC2 || lead > 0xF4 || text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(k) & 0xC0) != 0x80) return false;
    }
    if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F) ||
        (lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F)) {
      return false;
    }
    i += length;
  }
  return true;
}

// A top-level member's value, as much of it as the rules need.
struct Value {
  enum class Kind { kInteger, kUnsigned, kFloat, kString, kOther };
  Kind kind = Kind::kOther;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double number = 0;
  std::string text;  // a string's value
};

struct Member {
  std::string name;
  Value value;
};

// A SAX consumer that keeps the top-level members of one object in order and notices repeated
// names, which nlohmann's own builder would silently collapse to the last. Nested values are
// skipped (only a query may carry them, and ignores them); nlohmann's SAX parser keeps its own
// nesting on the heap, so deep nesting costs no stack.
class TopLevelMembers {
 public:
  bool null() { return put(Value{}); }
  bool boolean(bool) { return put(Value{}); }
  bool number_integer(json::number_integer_t v) {
    Value value;
    value.kind = Value::Kind::kInteger;
    value.integer = v;
    value.number = double(v);
    return put(std::move(value));
  }
  bool number_unsigned(json::number_unsigned_t v) {
    Value value;
    value.kind = Value::Kind::kUnsigned;
    value.unsigned_integer = v;
    value.number = double(v);
    return put(std::move(value));
  }
  bool number_float(json::number_float_t v, const json::string_t&) {
    Value value;
    value.kind = Value::Kind::kFloat;
    value.number = v;
    return put(std::move(value));
  }
  bool string(json::string_t& v) {
    Value value;
    value.kind = Value::Kind::kString;
    value.text = std::move(v);
    return put(std::move(value));
  }
  bool binary(json::binary_t&) { return put(Value{}); }
  bool start_object(std::size_t) { return open(true); }
  bool key(json::string_t& k) {
    if (depth_ != 1) return true;
    if (!names_.insert(k).second) return fail("'" + k + "' occurs twice");
    members_.push_back(Member{std::move(k), {}});
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(false); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) {
    // nlohmann's message repeats its own prefix; keep the part after "parse error ...: ".
    std::string what = e.what();
    std::size_t colon = what.rfind(": ");
    if (colon != std::string::npos) what = what.substr(colon + 2);
    return fail("not JSON at byte " + std::to_string(position) + ": " + what);
  }

  const std::string& error() const { return error_; }
  std::vector<Member>& members() { return members_; }

 private:
  bool put(Value v) {
    if (depth_ == 0) return fail("not a JSON object");
    if (depth_ == 1) members_.back().value = std::move(v);
    return true;
  }
  bool open(bool object) {
    if (depth_ == 0 && !object) return fail("not a JSON object");
    ++depth_;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  int depth_ = 0;
  std::vector<Member> members_;
  std::unordered_set<std::string> names_;
  std::string error_;
};

const char kStepRule[] =
    "step: must be an integer from 0 to 2^63-1, written without a fraction or exponent";

// The step's value when `value` is a valid step.
std::optional<int64_t> step_of(const Value& value) {
  if (value.kind == Value::Kind::kInteger && value.integer >= 0) return value.integer;
  if (value.kind == Value::Kind::kUnsigned &&
      value.unsigned_integer <= uint64_t(std::numeric_limits<int64_t>::max())) {
    return int64_t(value.unsigned_integer);
  }
  return std::nullopt;
}

Result<double> metric_value(const Member& m) {
  switch (m.value.kind) {
    case Value::Kind::kInteger:
    case Value::Kind::kUnsigned:
    case Value::Kind::kFloat:
      return m.value.number;
    case Value::Kind::kString:
      if (m.value.text == "nan") return std::numeric_limits<double>::quiet_NaN();
      if (m.value.text == "inf") return std::numeric_limits<double>::infinity();
      if (m.value.text == "-inf") return -std::numeric_limits<double>::infinity();
      break;
    case Value::Kind::kOther:
      break;
  }
  return invalid_argument("metric '" + m.name +
                          "': value must be a number or one of \"nan\", \"inf\", \"-inf\"");
}

Result<TrialLine> to_query(const std::vector<Member>& members) {
  const Member* query = nullptr;
  const Member* step = nullptr;
  for (const Member& m : members) {
    if (m.name == "query") query = &m;
    if (m.name == "step") step = &m;
  }
  if (query->value.kind != Value::Kind::kString) {
    return invalid_argument("query: must be a string");
  }
  if (query->value.text != "should_stop") {
    return invalid_argument("query: unknown query '" + query->value.text + "'");
  }
  if (!step) return invalid_argument("step: missing");
  std::optional<int64_t> n = step_of(step->value);
  if (!n) return invalid_argument(kStepRule);
  return TrialLine(StopQuery{*n});
}

Result<TrialLine> to_report(const std::vector<Member>& members) {
  TrialReport report;
  bool has_step = false;
  for (const Member& m : members) {
    if (m.name == "step") {
      std::optional<int64_t> n = step_of(m.value);
      if (!n) return invalid_argument(kStepRule);
      report.step = *n;
      has_step = true;
      continue;
    }
    if (!is_valid_metric_name(m.name)) {
      return invalid_argument("metric name '" + m.name +
                              "': use 1 to 255 letters, digits and _ . - /");
    }
    Result<double> value = metric_value(m);
    if (!value) return value.status();
    report.metrics.push_back(Metric{m.name, *value});
  }
  if (!has_step) return invalid_argument("step: missing");
  if (report.metrics.empty()) return invalid_argument("a report needs at least one metric");
  return TrialLine(std::move(report));
}

// ---- the fast path -------------------------------------------------------------------------

// Reads the plain reports that trials send by the hundred thousand a second, such as
// {"step": 3, "loss": 0.41, "acc": 0.9}: ASCII, names without escapes, numbers for values. It
// yields nullopt for anything else, which the full parser above then reads, and which therefore
// decides every error; so for any line it accepts, it must give what the full parser gives.
class PlainReport {
 public:
  explicit PlainReport(std::string_view line) : line_(line) {}

  std::optional<TrialReport> read() {
    TrialReport report;
    bool has_step = false;
    skip_space();
    if (!eat('{')) return std::nullopt;
    do {
      std::string_view name;
      double value = 0;
      bool integral = false;
      skip_space();
      if (!read_name(name)) return std::nullopt;
      skip_space();
      if (!eat(':')) return std::nullopt;
      skip_space();
      if (!read_number(value, integral)) return std::nullopt;
      skip_space();
      if (name == "step") {
        if (has_step || !integral || value < 0) return std::nullopt;
        report.step = step_;
        has_step = true;
      } else {
        if (!is_valid_metric_name(name) || report.metrics.size() >= kMaxMembers)
          return std::nullopt;
        for (const Metric& m : report.metrics) {
          if (m.name == name) return std::nullopt;  // repeated: the full parser says so
        }
        report.metrics.push_back(Metric{std::string(name), value});
      }
    } while (eat(','));
    if (!eat('}')) return std::nullopt;
    skip_space();
    if (pos_ != line_.size() || !has_step || report.metrics.empty()) return std::nullopt;
    return report;
  }

 private:
  // Beyond this many metrics the duplicate check would grow quadratic; the full parser hashes.
  static constexpr size_t kMaxMembers = 64;
  // Integers of up to 18 digits fit an int64 whatever they are; longer ones go the full way.
  static constexpr size_t kMaxIntegerDigits = 18;

  bool eat(char c) {
    if (pos_ < line_.size() && line_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void skip_space() {
    while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
  }
  size_t digits() {
    size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] >= '0' && line_[pos_] <= '9') ++pos_;
    return pos_ - start;
  }
  // A string of metric-name characters only, so no escapes and no other bytes.
  bool read_name(std::string_view& name) {
    if (!eat('"')) return false;
    size_t start = pos_;
    while (pos_ < line_.size() && line_[pos_] != '"') {
      char c = line_[pos_];
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20 ||
          static_cast<unsigned char>(c) >= 0x80) {
        return false;
      }
      ++pos_;
    }
    name = line_.substr(start, pos_ - start);
    return eat('"');
  }
  // A JSON number, checked against JSON's grammar, which from_chars alone does not enforce.
  bool read_number(double& value, bool& integral) {
    size_t start = pos_;
    eat('-');
    size_t int_start = pos_;
    size_t int_digits = digits();
    if (int_digits == 0 || (int_digits > 1 && line_[int_start] == '0')) return false;
    integral = true;
    if (eat('.')) {
      integral = false;
      if (digits() == 0) return false;
    }
    if (eat('e') || eat('E')) {
      integral = false;
      if (!eat('+')) eat('-');
      if (digits() == 0) return false;
    }
    std::string_view text = line_.substr(start, pos_ - start);
    if (integral) {
      if (int_digits > kMaxIntegerDigits) return false;
      int64_t n = 0;
      std::from_chars(text.data(), text.data() + text.size(), n);
      value = static_cast<double>(n);
      step_ = n;
      return true;
    }
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size();
  }

  std::string_view line_;
  size_t pos_ = 0;
  int64_t step_ = 0;  // the last integer read
};

}  // namespace

bool is_valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxMetricNameBytes) return false;
  if (name == "step" || name == "query") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

namespace {

// The line without its '\r', if it is within the limit.
Result<std::string_view> line_body(std::string_view line) {
  if (line.size() >= kMaxTrialLineBytes) {  // with its newline it would pass the limit
    return invalid_argument("line longer than " + std::to_string(kMaxTrialLineBytes) + " bytes");
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Any line, through the general JSON parser.
Result<TrialLine> parse_json_line(std::string_view body) {
  if (!is_utf8(body)) return invalid_argument("not UTF-8");
  TopLevelMembers sax;
  bool parsed = false;
  try {
    parsed = json::sax_parse(body.begin(), body.end(), &sax, json::input_format_t::json, true);
  } catch (const json::exception& e) {  // sax_parse reports through the consumer; be safe
    return invalid_argument(std::string("not JSON: ") + e.what());
  }
  if (!parsed) return invalid_argument(sax.error().empty() ? "not JSON" : sax.error());
  for (const Member& m : sax.members()) {
    if (m.name == "query") return to_query(sax.members());
  }
  return to_report(sax.members());
}

}  // namespace

Result<TrialLine> parse_trial_line(std::string_view line) {
  Result<std::string_view> body = line_body(line);
  if (!body) return body.status();
  if (std::optional<TrialReport> plain = PlainReport(*body).read()) return TrialLine(*plain);
  return parse_json_line(*body);
}

Result<TrialLine> parse_trial_line_fully(std::string_view line) {
  Result<std::string_view> body = line_body(line);
  if (!body) return body.status();
  return parse_json_line(*body);
}

}  // namespace labsweep::agent
