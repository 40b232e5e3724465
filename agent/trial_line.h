#pragma once

// One line from a trial on its metrics socket, parsed exactly as docs/trial-interface.md
// ("Trial -> agent", "Malformed and unknown lines", "Limits") specifies: a report or a
// should_stop query, or a Status that says what is wrong with the line.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"

namespace labsweep::agent {

// Limits of docs/trial-interface.md.
inline constexpr std::size_t kMaxTrialLineBytes = 65536;  // including the newline
inline constexpr std::size_t kMaxMetricNameBytes = 255;

struct Metric {
  std::string name;
  double value = 0;  // may be NaN or infinite ("nan", "inf", "-inf" on the wire)
  friend bool operator==(const Metric& a, const Metric& b) {
    return a.name == b.name && (a.value == b.value || (a.value != a.value && b.value != b.value));
  }
};

// {"step":3,"loss":0.41,...}: metrics in the order the line wrote them, each name once.
struct TrialReport {
  int64_t step = 0;
  std::vector<Metric> metrics;
  int64_t received_ms = 0;  // the agent's wall clock when the line arrived; 0 from the parser
  friend bool operator==(const TrialReport&, const TrialReport&) = default;
};

// {"query":"should_stop","step":3}
struct StopQuery {
  int64_t step = 0;
  friend bool operator==(const StopQuery&, const StopQuery&) = default;
};

using TrialLine = std::variant<TrialReport, StopQuery>;

// Parses one line without its '\n' (a '\r' before it is ignored). Fails, naming the problem,
// for a line that is over the limit, not UTF-8, not a JSON object, has a repeated member, a
// missing or invalid step, a bad or reserved metric name, a value that is not a number or
// "nan"/"inf"/"-inf", no metric at all, or an unknown query ("query: unknown query 'x'").
Result<TrialLine> parse_trial_line(std::string_view line);

// The same through the general JSON parser only. parse_trial_line reads plain reports itself,
// faster, and hands everything else to this one; tests hold the two to the same answers.
Result<TrialLine> parse_trial_line_fully(std::string_view line);

// Whether `name` is a valid metric name: 1 to 255 of A-Z a-z 0-9 _ . - /, not step or query.
bool is_valid_metric_name(std::string_view name);

}  // namespace labsweep::agent
