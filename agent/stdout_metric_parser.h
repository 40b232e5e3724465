#pragma once

// Metrics from a trial's standard output, for sweeps that set labsweep.metrics.stdout_regex
// (docs/trial-interface.md, "Metrics on standard output"). The trial's stdout goes to a file in
// its trial directory; the agent's loop calls poll() now and then, which reads the lines
// completed since the last call and turns the regex's matches into reports. Not thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/line_regex.h"
#include "agent/trial_line.h"
#include "base/clock.h"
#include "base/status.h"

namespace labsweep::agent {

// The matching rules alone, on whole lines (group 1: the metric's name, group 2: its value,
// optional group 3: the step; see the docs for how a line without a step is numbered).
class StdoutMetricMatcher {
 public:
  // Matches used per line; the rest of the line is left unread (and the line counted). Each
  // search may read to the end of the line, so this bounds the work of a line to this many
  // passes over it, and of a poll to this many passes over what it reads.
  static constexpr int kMaxMatchesPerLine = 64;

  // Fails when `regex` is not a valid regular expression (RE2 syntax, line_regex.h) or has
  // fewer than two groups.
  static Result<StdoutMetricMatcher> create(const std::string& regex);

  // The report of one line (without its line end), or nullopt when nothing on it matched. A
  // match with a bad name or value is skipped and counted (skipped_matches()), and so is a line
  // with more than kMaxMatchesPerLine matches (truncated_lines()); its first ones are used.
  std::optional<TrialReport> match_line(std::string_view line);

  uint64_t skipped_matches() const { return skipped_matches_; }
  uint64_t truncated_lines() const { return truncated_lines_; }

 private:
  explicit StdoutMetricMatcher(LineRegex regex)
      : regex_(std::move(regex)), has_step_group_(regex_.group_count() >= 3) {}
  void take_match(const LineRegex::Match& m, std::optional<int64_t>& step, TrialReport& report);

  LineRegex regex_;
  bool has_step_group_ = false;
  std::optional<int64_t> last_step_;  // the step the last line that named one named
  int64_t next_implicit_step_ = 0;    // used while no line has named a step
  uint64_t skipped_matches_ = 0;
  uint64_t truncated_lines_ = 0;
};

class StdoutMetricParser {
 public:
  // Lines longer than this are skipped (and counted): the regex never runs on them. As long as
  // a line on the metrics socket (kMaxTrialLineBytes): RE2's searches are linear in the line.
  static constexpr std::size_t kMaxLineBytes = 65536;
  // Bytes read per poll(), so that a trial printing fast cannot hold up the agent's loop.
  static constexpr std::size_t kMaxReadPerPoll = 4 << 20;

  enum class AtEnd { kNo, kYes };

  // `path` may not exist yet (the trial has not started): poll() then finds nothing. `clock`
  // must outlive the parser.
  static Result<std::unique_ptr<StdoutMetricParser>> create(std::filesystem::path path,
                                                            const std::string& regex,
                                                            const Clock& clock);
  ~StdoutMetricParser();
  StdoutMetricParser(const StdoutMetricParser&) = delete;
  StdoutMetricParser& operator=(const StdoutMetricParser&) = delete;

  // Reports from the lines completed since the last call, received_ms from the clock. With
  // AtEnd::kYes (the trial has exited) a last line without a line end counts too. Fails only
  // when the file exists but cannot be read.
  Result<std::vector<TrialReport>> poll(AtEnd at_end = AtEnd::kNo);

  uint64_t offset() const { return offset_; }                // bytes of the file consumed so far
  uint64_t skipped_lines() const { return skipped_lines_; }  // over kMaxLineBytes
  uint64_t skipped_matches() const { return matcher_.skipped_matches(); }
  uint64_t truncated_lines() const { return matcher_.truncated_lines(); }

 private:
  StdoutMetricParser(std::filesystem::path path, StdoutMetricMatcher matcher, const Clock& clock);
  Status open_if_needed();
  void take_bytes(std::string_view bytes, std::vector<TrialReport>& out);
  void take_line(std::string_view line, std::vector<TrialReport>& out);

  std::filesystem::path path_;
  StdoutMetricMatcher matcher_;
  const Clock& clock_;
  int fd_ = -1;
  uint64_t offset_ = 0;
  std::string partial_;      // the start of a line whose end has not arrived
  bool discarding_ = false;  // inside an over-long line, skipping to its end
  uint64_t skipped_lines_ = 0;
};

}  // namespace labsweep::agent
