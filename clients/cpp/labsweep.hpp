#pragma once

// labsweep's trial-side client for C++: read the trial's parameters, report metrics, hear stops.
// Header-only, C++17, POSIX, standard library only; copy it into a project or add clients/cpp
// to the include path. The interface it speaks is specified in docs/trial-interface.md.
//
//   labsweep_client::Trial& trial = labsweep_client::default_trial();
//   double lr = trial.param_double("lr").value_or(0.01);
//   for (std::int64_t step = 0; step < steps; ++step) {
//     trial.report(step, {{"loss", loss}, {"acc", acc}});
//     if (trial.should_stop()) break;  // a stop notice arrived (never blocks)
//   }
//
// Outside labsweep (LABSWEEP_SOCKET unset or empty) the same program runs unchanged: parameters
// come from LABSWEEP_PARAMS_FILE if set and are empty otherwise, report() does nothing (after
// checking its arguments), should_stop() is false.
//
// Errors are exceptions, so that a report that could not be sent is never lost silently:
// std::invalid_argument for bad arguments, labsweep_client::Error for a parameters file that
// cannot be read or parsed, a parameter of another type than asked, or a socket that cannot be
// used. Malformed lines from the agent are ignored.

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <initializer_list>
#include <limits>
#include <locale>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace labsweep_client {

// Limits shared with the agent (docs/trial-interface.md, "Limits").
inline constexpr std::size_t kMaxLineBytes = 65536;
inline constexpr std::size_t kMaxMetricNameBytes = 255;

// A parameters file that cannot be read or parsed, a parameter of another type than asked for,
// or a metrics socket that cannot be used. The message names the file or socket.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline std::string errno_text(int error) { return std::generic_category().message(error); }

// A JSON value's text as written (RFC 8259), classified by its first character.
enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

inline Kind kind_of(std::string_view raw) {
  char c = raw.empty() ? 'n' : raw.front();
  if (c == 'n') return Kind::kNull;
  if (c == 't' || c == 'f') return Kind::kBool;
  if (c == '"') return Kind::kString;
  if (c == '[') return Kind::kArray;
  if (c == '{') return Kind::kObject;
  return Kind::kNumber;
}

inline const char* kind_name(Kind kind) {
  static const char* const kNames[] = {"null",     "a boolean", "a number",
                                       "a string", "an array",  "an object"};
  return kNames[static_cast<int>(kind)];
}

// One member of a scanned object: its decoded name and where its value's text lies.
struct Member {
  std::string name;
  std::size_t offset = 0;
  std::size_t length = 0;
};

// A strict JSON scanner (RFC 8259: UTF-8, no trailing commas, no NaN) that reads one object
// into its members and validates everything nested in it without building it. Errors say
// "line L, column C: what". Nesting is bounded, so hostile input cannot exhaust the stack.
class Scanner {
 public:
  static constexpr int kMaxDepth = 128;

  explicit Scanner(std::string_view text) : text_(text) {}

  // Reads the whole text as one object; false with error() set when it is anything else.
  bool object(std::vector<Member>& members) {
    skip_space();
    if (at_end()) return fail("expected a value");
    if (peek() != '{') {
      error_ = "not a JSON object";
      return false;
    }
    if (!members_of(1, &members)) return false;
    skip_space();
    if (!at_end()) return fail("unexpected text after the object");
    return true;
  }

  // Decodes a string value's text (quotes included) that object() has already validated.
  static std::string decode_string(std::string_view raw) {
    Scanner scanner(raw);
    std::string out;
    scanner.string(&out);
    return out;
  }

  const std::string& error() const { return error_; }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }
  bool eat(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // One or more digits.
  bool digits() {
    if (!is_digit(peek())) return false;
    while (is_digit(peek())) ++pos_;
    return true;
  }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) {
      ++pos_;
    }
  }

  bool fail(const char* what) {
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error_ = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what;
    return false;
  }

  bool value(int depth) {
    skip_space();
    if (depth > kMaxDepth) return fail("nested too deeply");
    switch (peek()) {
      case '{':
        return members_of(depth + 1, nullptr);
      case '[':
        return elements(depth + 1);
      case '"':
        return string(nullptr);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        if (peek() == '-' || is_digit(peek())) return number();
        return fail("expected a value");
    }
  }

  // At '{': the members, appended to `out` when it is not null.
  bool members_of(int depth, std::vector<Member>* out) {
    ++pos_;
    skip_space();
    if (eat('}')) return true;
    while (true) {
      skip_space();
      if (peek() != '"') return fail("expected a member name in double quotes");
      Member member;
      if (!string(out ? &member.name : nullptr)) return false;
      skip_space();
      if (!eat(':')) return fail("expected ':'");
      skip_space();
      member.offset = pos_;
      if (!value(depth)) return false;
      member.length = pos_ - member.offset;
      if (out) out->push_back(std::move(member));
      skip_space();
      if (eat('}')) return true;
      if (!eat(',')) return fail("expected ',' or '}'");
    }
  }

  // At '[': the elements.
  bool elements(int depth) {
    ++pos_;
    skip_space();
    if (eat(']')) return true;
    while (true) {
      if (!value(depth)) return false;
      skip_space();
      if (eat(']')) return true;
      if (!eat(',')) return fail("expected ',' or ']'");
    }
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("expected a value");
    pos_ += word.size();
    return true;
  }

  bool number() {
    eat('-');
    if (!eat('0') && !digits()) return fail("expected a digit");
    if (eat('.') && !digits()) return fail("expected a digit");
    if (eat('e') || eat('E')) {
      if (!eat('+')) eat('-');
      if (!digits()) return fail("expected a digit");
    }
    return true;
  }

  bool hex4(std::uint32_t& out) {
    if (text_.size() - pos_ < 4) return false;
    out = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      char c = text_[pos_ + i];
      out <<= 4;
      if (is_digit(c)) {
        out |= static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        out |= static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        out |= static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
    }
    pos_ += 4;
    return true;
  }

  static void append_utf8(std::uint32_t cp, std::string* out) {
    if (!out) return;
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // After "\u": one code point, joining a surrogate pair; a lone surrogate becomes U+FFFD.
  bool unicode_escape(std::string* out) {
    std::uint32_t cp = 0;
    if (!hex4(cp)) return fail("expected four hex digits after \\u");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      std::size_t save = pos_;
      std::uint32_t low = 0;
      if (eat('\\') && eat('u') && hex4(low) && low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
      } else {
        pos_ = save;
        cp = 0xFFFD;
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    append_utf8(cp, out);
    return true;
  }

  // One UTF-8 encoded character of two to four bytes, checked (no overlongs, no surrogates).
  bool utf8_sequence(std::string* out) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    unsigned char lead = byte(0);
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    if (lead < 0xC2 || lead > 0xF4 || text_.size() - pos_ < length) {
      return fail("invalid UTF-8");
    }
    for (std::size_t i = 1; i < length; ++i) {
      if ((byte(i) & 0xC0) != 0x80) return fail("invalid UTF-8");
    }
    if ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) > 0x9F) ||
        (lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) > 0x8F)) {
      return fail("invalid UTF-8");
    }
    if (out) out->append(text_.substr(pos_, length));
    pos_ += length;
    return true;
  }

  // At '"': the string, decoded into `out` when it is not null.
  bool string(std::string* out) {
    ++pos_;
    while (true) {
      if (at_end()) return fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(peek());
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c >= 0x80) {
        if (!utf8_sequence(out)) return false;
        continue;
      }
      ++pos_;
      if (c != '\\') {
        if (out) out->push_back(static_cast<char>(c));
        continue;
      }
      char escape = peek();
      const char* simple = "\"\"\\\\//b\bf\fn\nr\rt\t";
      const char* found = escape ? std::strchr(simple, escape) : nullptr;
      if (escape == 'u') {
        ++pos_;
        if (!unicode_escape(out)) return false;
      } else if (found && (found - simple) % 2 == 0) {
        ++pos_;
        if (out) out->push_back(found[1]);
      } else {
        return fail("invalid escape");
      }
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

// A JSON number's text as a double, or nullopt when it does not fit one.
inline std::optional<double> to_double(std::string_view raw) {
  double value = 0;
#if defined(__cpp_lib_to_chars)
  auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (error != std::errc() || end != raw.data() + raw.size()) return std::nullopt;
#else
  std::istringstream in{std::string(raw)};
  in.imbue(std::locale::classic());
  in >> value;
  if (in.fail() || std::isinf(value)) return std::nullopt;
#endif
  return value;
}

// A JSON number's text as an integer when it is one exactly (3, 3.0 and 3e0 alike).
inline std::optional<std::int64_t> to_int(std::string_view raw) {
  if (raw.find_first_of(".eE") == std::string_view::npos) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    if (error != std::errc() || end != raw.data() + raw.size()) return std::nullopt;
    return value;
  }
  std::optional<double> value = to_double(raw);
  if (!value || std::trunc(*value) != *value || *value < -9223372036854775808.0 ||
      *value >= 9223372036854775808.0) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(*value);
}

// The shortest text that reads back as `value`; non-finite values as the strings the agent
// expects ("nan", "inf", "-inf"), since JSON has no literal for them.
inline void append_number(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "\"nan\"";
  } else if (std::isinf(value)) {
    out += value > 0 ? "\"inf\"" : "\"-inf\"";
  } else {
#if defined(__cpp_lib_to_chars)
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
#else
    std::string text;
    for (int precision = 15; precision <= 17; ++precision) {  // the shortest that reads back
      std::ostringstream format;
      format.imbue(std::locale::classic());
      format.precision(precision);
      format << value;
      text = format.str();
      if (to_double(text) == value) break;
    }
    out += text;
#endif
  }
}

// Owns a file descriptor; closing it is the only thing the destructor does.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

inline std::string read_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int error = errno;
    throw Error("labsweep: cannot read LABSWEEP_PARAMS_FILE '" + path + "': " + errno_text(error));
  }
  std::string text;
  char buffer[65536];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      throw Error("labsweep: cannot read LABSWEEP_PARAMS_FILE '" + path +
                  "': " + errno_text(error));
    }
    if (n == 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace detail

// A JSON object's members by name, each value kept as the text it was written as. Getters
// return nullopt for a member that is absent or null and throw Error for one of another type.
// Where a name occurs twice the last one counts. Immutable, so safe to share between threads.
class Params {
 public:
  // No parameters: the object {}.
  Params() = default;

  // Parses `json`, which must be one JSON object; on failure throws Error whose message starts
  // with `source` ("labsweep: LABSWEEP_PARAMS_FILE '/path'") and says the line and column.
  static Params parse(std::string json, const std::string& source = "labsweep: parameters") {
    Params params;
    std::string error;
    if (!params.load(std::move(json), error)) {
      throw Error(source + (error == "not a JSON object" ? " is " : ": ") + error);
    }
    return params;
  }

  // Like parse(), but nullopt instead of an exception.
  static std::optional<Params> try_parse(std::string json) {
    Params params;
    std::string error;
    if (!params.load(std::move(json), error)) return std::nullopt;
    return params;
  }

  // The object's text as read.
  const std::string& json() const { return json_; }

  // The members' names in the order written (a repeated name once per occurrence).
  std::vector<std::string> names() const {
    std::vector<std::string> names;
    for (const detail::Member& member : members_) names.push_back(member.name);
    return names;
  }

  bool contains(std::string_view name) const { return find(name) != nullptr; }

  // Any member's value as written: a number, "a string" with its quotes, {...}, [...].
  std::optional<std::string> get_raw(std::string_view name) const {
    const detail::Member* member = find(name);
    if (!member) return std::nullopt;
    return json_.substr(member->offset, member->length);
  }

  std::optional<double> get_double(std::string_view name) const {
    std::optional<std::string_view> raw = typed(name, detail::Kind::kNumber);
    if (!raw) return std::nullopt;
    std::optional<double> value = detail::to_double(*raw);
    if (!value) throw Error(message(name, "is out of range for a double"));
    return value;
  }

  // A number that is a whole number (3, 3.0, 3e0) within the range of std::int64_t.
  std::optional<std::int64_t> get_int(std::string_view name) const {
    std::optional<std::string_view> raw = typed(name, detail::Kind::kNumber);
    if (!raw) return std::nullopt;
    std::optional<std::int64_t> value = detail::to_int(*raw);
    if (!value) {
      throw Error(message(name, "is " + std::string(*raw) + ", not a 64-bit integer"));
    }
    return value;
  }

  // The string decoded: escapes resolved, UTF-8.
  std::optional<std::string> get_string(std::string_view name) const {
    std::optional<std::string_view> raw = typed(name, detail::Kind::kString);
    if (!raw) return std::nullopt;
    return detail::Scanner::decode_string(*raw);
  }

  std::optional<bool> get_bool(std::string_view name) const {
    std::optional<std::string_view> raw = typed(name, detail::Kind::kBool);
    if (!raw) return std::nullopt;
    return *raw == "true";
  }

  // A nested group (an object value), whose errors name it as "group.member".
  std::optional<Params> get_group(std::string_view name) const {
    std::optional<std::string_view> raw = typed(name, detail::Kind::kObject);
    if (!raw) return std::nullopt;
    Params group = *try_parse(std::string(*raw));  // validated as part of this object
    group.prefix_ = prefix_ + std::string(name) + ".";
    return group;
  }

 private:
  const detail::Member* find(std::string_view name) const {
    for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }

  std::string message(std::string_view name, const std::string& what) const {
    return "labsweep: parameter '" + prefix_ + std::string(name) + "' " + what;
  }

  // The member's text when it has `kind`; nullopt when absent or null; Error otherwise.
  std::optional<std::string_view> typed(std::string_view name, detail::Kind kind) const {
    const detail::Member* member = find(name);
    if (!member) return std::nullopt;
    std::string_view raw = std::string_view(json_).substr(member->offset, member->length);
    detail::Kind actual = detail::kind_of(raw);
    if (actual == detail::Kind::kNull) return std::nullopt;
    if (actual != kind) {
      throw Error(message(name, std::string("is ") + detail::kind_name(actual) + ", not " +
                                    detail::kind_name(kind)));
    }
    return raw;
  }

  bool load(std::string json, std::string& error) {
    json_ = std::move(json);
    detail::Scanner scanner(json_);
    if (scanner.object(members_)) return true;
    error = scanner.error();
    return false;
  }

  std::string json_ = "{}";
  std::vector<detail::Member> members_;  // offsets into json_, so copies stay valid
  std::string prefix_;                   // "group." for a nested group, for messages
};

// Where the trial finds labsweep: the trial environment's variables, empty when unset.
struct Environment {
  std::string trial_id;     // LABSWEEP_TRIAL_ID
  std::string sweep_id;     // LABSWEEP_SWEEP_ID
  std::string trial_dir;    // LABSWEEP_TRIAL_DIR
  std::string params_file;  // LABSWEEP_PARAMS_FILE
  std::string socket_path;  // LABSWEEP_SOCKET; empty: outside labsweep

  static Environment from_process() {
    auto get = [](const char* name) {
      const char* value = std::getenv(name);
      return std::string(value ? value : "");
    };
    return Environment{get("LABSWEEP_TRIAL_ID"), get("LABSWEEP_SWEEP_ID"),
                       get("LABSWEEP_TRIAL_DIR"), get("LABSWEEP_PARAMS_FILE"),
                       get("LABSWEEP_SOCKET")};
  }
};

// One report: a step and its metrics, checked and encoded as the line the agent reads.
class Report {
 public:
  // Throws std::invalid_argument for a negative step.
  explicit Report(std::int64_t step) : step_(step) {
    if (step < 0) {
      throw std::invalid_argument("step must be between 0 and 2**63-1, got " +
                                  std::to_string(step));
    }
  }

  // Adds a metric. Throws std::invalid_argument for a name that is not 1 to 255 of
  // A-Z a-z 0-9 _ . - /, is reserved ("step", "query"), or was added already.
  Report& add(std::string_view name, double value) {
    check_name(name);
    for (const auto& metric : metrics_) {
      if (metric.first == name) {
        throw std::invalid_argument("metric '" + std::string(name) + "' is given twice");
      }
    }
    metrics_.emplace_back(std::string(name), value);
    return *this;
  }

  std::int64_t step() const { return step_; }

  // The line with its newline: {"step":3,"loss":0.41}. Throws std::invalid_argument when
  // there is no metric or the line would exceed kMaxLineBytes.
  std::string line() const {
    if (metrics_.empty()) throw std::invalid_argument("report() needs at least one metric");
    std::string line = "{\"step\":" + std::to_string(step_);
    for (const auto& [name, value] : metrics_) {
      line += ",\"" + name + "\":";
      detail::append_number(line, value);
    }
    line += "}\n";
    if (line.size() > kMaxLineBytes) {
      throw std::invalid_argument("report for step " + std::to_string(step_) + " is longer than " +
                                  std::to_string(kMaxLineBytes) + " bytes");
    }
    return line;
  }

 private:
  static void check_name(std::string_view name) {
    if (name == "step" || name == "query") {
      throw std::invalid_argument("metric name '" + std::string(name) + "' is reserved");
    }
    bool ok = !name.empty() && name.size() <= kMaxMetricNameBytes;
    for (char c : name) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '-' || c == '/');
    }
    if (!ok) {
      throw std::invalid_argument("metric name '" + std::string(name) + "': use 1 to " +
                                  std::to_string(kMaxMetricNameBytes) +
                                  " letters, digits and _ . - /");
    }
  }

  std::int64_t step_;
  std::vector<std::pair<std::string, double>> metrics_;
};

// How should_stop() answers.
enum class Wait {
  kNo,           // from what has arrived: never blocks
  kForDecision,  // asks the agent for the decision on the last reported step and waits for it
};

namespace detail {

struct Decision {
  bool stop = false;
  std::string reason;
};

// One connection to the agent and what has been read from it; guarded by Trial::mu_.
struct Connection {
  Fd fd;
  std::string inbuf;
  bool discarding = false;  // inside an over-long line, dropping bytes up to its newline
  std::map<std::int64_t, std::deque<Decision>> decisions;  // answers not yet taken
  bool dead = false;
  bool reading = false;  // a thread is in recv() on fd without holding the lock
};

}  // namespace detail

// A trial's link to labsweep: its parameters and its metrics socket. Every method may be called
// from any thread; lines are written whole. The connection opens on first use; after fork() the
// child opens its own (it must not use a Trial another thread was inside during the fork).
class Trial {
 public:
  // From the process environment. Throws Error when LABSWEEP_PARAMS_FILE is set but cannot be
  // read or is not a JSON object.
  Trial() : Trial(Environment::from_process()) {}

  explicit Trial(Environment env) : env_(std::move(env)), pid_(::getpid()) {
    if (!env_.params_file.empty()) {
      params_ = Params::parse(detail::read_file(env_.params_file),
                              "labsweep: LABSWEEP_PARAMS_FILE '" + env_.params_file + "'");
    }
  }

  Trial(const Trial&) = delete;
  Trial& operator=(const Trial&) = delete;
  ~Trial() { close(); }

  const Environment& environment() const { return env_; }
  bool in_labsweep() const { return !env_.socket_path.empty(); }

  // ----- parameters -----

  // The parameters file's text as read; "{}" when there is none.
  const std::string& params_json() const { return params_.json(); }
  const Params& params() const { return params_; }
  std::optional<double> param_double(std::string_view name) const {
    return params_.get_double(name);
  }
  std::optional<std::int64_t> param_int(std::string_view name) const {
    return params_.get_int(name);
  }
  std::optional<std::string> param_string(std::string_view name) const {
    return params_.get_string(name);
  }
  std::optional<bool> param_bool(std::string_view name) const { return params_.get_bool(name); }
  // Any parameter's JSON text, for nested groups and lists.
  std::optional<std::string> param_raw(std::string_view name) const {
    return params_.get_raw(name);
  }

  // ----- reports -----

  // report(3, {{"loss", 0.41}, {"acc", 0.87}}). Throws std::invalid_argument for bad arguments
  // (outside labsweep too) and Error when the line cannot be sent.
  void report(std::int64_t step,
              std::initializer_list<std::pair<std::string_view, double>> metrics) {
    Report r(step);
    for (const auto& [name, value] : metrics) r.add(name, value);
    report(r);
  }

  void report(const Report& r) {
    std::string line = r.line();
    if (!in_labsweep()) return;
    send(line);
    std::lock_guard<std::mutex> lock(mu_);
    last_step_ = r.step();
  }

  // ----- stopping -----

  // Whether the trial should stop: true once a stop notice or a "stop" decision has arrived.
  // Wait::kForDecision first asks for the decision on the last reported step and blocks until
  // it (or a stop notice) arrives. Always false outside labsweep. Throws Error when the socket
  // cannot be used or closes before the decision.
  bool should_stop(Wait wait = Wait::kNo) {
    if (!in_labsweep()) return false;
    if (wait == Wait::kNo) {
      std::shared_ptr<detail::Connection> conn = connection();
      std::lock_guard<std::mutex> lock(mu_);
      if (!conn->reading && !conn->dead) read_ready(*conn);
      return stop_reason_.has_value();
    }
    std::int64_t step = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_reason_) return true;
      if (!last_step_) {
        throw Error("labsweep: should_stop(Wait::kForDecision) needs a report() first");
      }
      step = *last_step_;
    }
    std::string query = "{\"query\":\"should_stop\",\"step\":" + std::to_string(step) + "}\n";
    return await_decision(send(query), step);
  }

  // The reason given with the stop notice or "stop" decision ("" when it gave none), or nullopt
  // before one arrived.
  std::optional<std::string> stop_reason() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_reason_;
  }

  // The step of the last report() on this Trial, or nullopt.
  std::optional<std::int64_t> last_step() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_step_;
  }

  // Closes the connection; a later call opens a new one.
  void close() {
    std::lock_guard<std::mutex> send_lock(send_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    if (conn_ && pid_ == ::getpid()) retire(*conn_);
  }

 private:
#if defined(MSG_NOSIGNAL)
  static constexpr int kSendFlags = MSG_NOSIGNAL;
#else
  static constexpr int kSendFlags = 0;  // SO_NOSIGPIPE is set on the socket instead
#endif

  std::string socket_error(const std::string& what, int error) const {
    return "labsweep: " + what + " LABSWEEP_SOCKET '" + env_.socket_path +
           "': " + detail::errno_text(error);
  }

  // The current connection, opened if there is none. Requires send_mu_.
  std::shared_ptr<detail::Connection> connection_locked() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pid_ != ::getpid()) {  // forked: the parent's connection is not ours to use
        conn_.reset();           // closes only this process's copy of the descriptor
        pid_ = ::getpid();
      }
      if (conn_) return conn_;
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (env_.socket_path.size() >= sizeof address.sun_path) {
      throw Error("labsweep: cannot connect to LABSWEEP_SOCKET '" + env_.socket_path +
                  "': the path is longer than " + std::to_string(sizeof address.sun_path - 1) +
                  " bytes");
    }
    std::memcpy(address.sun_path, env_.socket_path.data(), env_.socket_path.size());
    detail::Fd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
    if (fd.get() < 0) {
      int error = errno;
      throw Error(socket_error("cannot connect to", error));
    }
    ::fcntl(fd.get(), F_SETFD, FD_CLOEXEC);
#if defined(SO_NOSIGPIPE)
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    int rc = 0;
    do {
      rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
      int error = errno;
      throw Error(socket_error("cannot connect to", error));
    }
    auto conn = std::make_shared<detail::Connection>();
    conn->fd = std::move(fd);
    std::lock_guard<std::mutex> lock(mu_);
    conn_ = conn;
    return conn;
  }

  std::shared_ptr<detail::Connection> connection() {
    std::lock_guard<std::mutex> send_lock(send_mu_);
    return connection_locked();
  }

  // Writes one whole line; returns the connection it went on.
  std::shared_ptr<detail::Connection> send(const std::string& line) {
    std::lock_guard<std::mutex> send_lock(send_mu_);
    std::shared_ptr<detail::Connection> conn = connection_locked();
    std::size_t sent = 0;
    while (sent < line.size()) {
      ssize_t n = ::send(conn->fd.get(), line.data() + sent, line.size() - sent, kSendFlags);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        int error = errno;
        std::lock_guard<std::mutex> lock(mu_);
        retire(*conn);
        throw Error(socket_error("lost the connection to", error));
      }
      sent += static_cast<std::size_t>(n);
    }
    return conn;
  }

  // Marks `conn` dead and wakes any thread blocked reading it. Requires mu_.
  void retire(detail::Connection& conn) {
    if (!conn.dead) ::shutdown(conn.fd.get(), SHUT_RDWR);
    conn.dead = true;
    if (conn_.get() == &conn) conn_.reset();
    cv_.notify_all();
  }

  bool await_decision(const std::shared_ptr<detail::Connection>& conn, std::int64_t step) {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (stop_reason_) return true;
      auto answers = conn->decisions.find(step);
      if (answers != conn->decisions.end()) {
        bool stop = answers->second.front().stop;
        answers->second.pop_front();
        if (answers->second.empty()) conn->decisions.erase(answers);
        return stop;
      }
      if (conn->dead) {
        throw Error("labsweep: the connection to LABSWEEP_SOCKET '" + env_.socket_path +
                    "' closed before the decision on step " + std::to_string(step) + " arrived");
      }
      if (conn->reading) {
        cv_.wait(lock);
        continue;
      }
      read_blocking(*conn, lock);
    }
  }

  // Reads once, unlocking meanwhile; called with mu_ held through `lock` and no other reader.
  void read_blocking(detail::Connection& conn, std::unique_lock<std::mutex>& lock) {
    conn.reading = true;
    lock.unlock();
    char buffer[65536];
    ssize_t n = 0;
    do {
      n = ::recv(conn.fd.get(), buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
    lock.lock();
    conn.reading = false;
    if (n > 0) {
      take(conn, std::string_view(buffer, static_cast<std::size_t>(n)));
    } else {
      retire(conn);
    }
    cv_.notify_all();
  }

  // Takes whatever has already arrived without blocking. Requires mu_.
  void read_ready(detail::Connection& conn) {
    char buffer[65536];
    while (true) {
      ssize_t n = ::recv(conn.fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        retire(conn);
        return;
      }
      take(conn, std::string_view(buffer, static_cast<std::size_t>(n)));
      cv_.notify_all();
    }
  }

  // Splits received bytes into lines and acts on each whole one. Requires mu_.
  void take(detail::Connection& conn, std::string_view data) {
    conn.inbuf.append(data);
    std::size_t start = 0;
    std::size_t end = 0;
    while ((end = conn.inbuf.find('\n', start)) != std::string::npos) {
      if (conn.discarding) {
        conn.discarding = false;
      } else if (end - start < kMaxLineBytes) {  // with its newline, within the limit
        act_on(conn, std::string_view(conn.inbuf).substr(start, end - start));
      }
      start = end + 1;
    }
    conn.inbuf.erase(0, start);
    if (conn.inbuf.size() >= kMaxLineBytes) conn.discarding = true;  // drop it up to its newline
    if (conn.discarding) conn.inbuf.clear();
  }

  // Acts on one control line; anything malformed or unknown is ignored. Requires mu_.
  void act_on(detail::Connection& conn, std::string_view line) {
    std::optional<Params> message = Params::try_parse(std::string(line));
    if (!message) return;
    auto text = [&](std::string_view name) -> std::optional<std::string> {
      std::optional<std::string> raw = message->get_raw(name);
      if (!raw || detail::kind_of(*raw) != detail::Kind::kString) return std::nullopt;
      return detail::Scanner::decode_string(*raw);
    };
    std::string reason = text("reason").value_or("");
    if (text("action") == "stop") {
      stopped(reason);
      return;
    }
    std::optional<std::string> decision = text("decision");
    std::optional<std::string> step = message->get_raw("step");
    if (!decision || (*decision != "continue" && *decision != "stop") || !step ||
        step->find_first_not_of("0123456789") != std::string::npos) {
      return;
    }
    std::optional<std::int64_t> number = detail::to_int(*step);
    if (!number) return;
    conn.decisions[*number].push_back(detail::Decision{*decision == "stop", reason});
    if (*decision == "stop") stopped(reason);
  }

  void stopped(const std::string& reason) {
    if (!stop_reason_) stop_reason_ = reason;
  }

  const Environment env_;
  Params params_;
  // Lock order: send_mu_, then mu_. send_mu_ keeps lines whole and serialises connecting.
  std::mutex send_mu_;
  mutable std::mutex mu_;
  std::condition_variable cv_;                // signalled when mu_'s state changes
  std::shared_ptr<detail::Connection> conn_;  // guarded by mu_
  pid_t pid_;                                 // guarded by mu_
  std::optional<std::int64_t> last_step_;     // guarded by mu_
  std::optional<std::string> stop_reason_;    // guarded by mu_
};

// The process's Trial, made from the environment on first use (thread-safe). Throws Error as
// Trial() does; a later call tries again.
inline Trial& default_trial() {
  static Trial trial;
  return trial;
}

}  // namespace labsweep_client
