#include "agent/stdout_metric_parser.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include "agent/trial_file.h"

namespace labsweep::agent {
namespace {

// A value as the regex captured it: a decimal number with an optional sign, or nan/inf.
std::optional<double> parse_value(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> parse_step(std::string_view text) {
  int64_t step = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), step);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || step < 0) {
    return std::nullopt;
  }
  return step;
}

}  // namespace

Result<StdoutMetricMatcher> StdoutMetricMatcher::create(const std::string& regex) {
  Result<LineRegex> compiled = LineRegex::compile(regex);
  if (!compiled) return compiled.status();
  if (compiled->group_count() < 2) {
    return invalid_argument("stdout_regex '" + regex +
                            "' needs two groups: the metric's name and its value");
  }
  return StdoutMetricMatcher(std::move(*compiled));
}

void StdoutMetricMatcher::take_match(const LineRegex::Match& m, std::optional<int64_t>& step,
                                     TrialReport& report) {
  std::string_view name = m.groups[1];
  std::string_view value = m.groups[2];
  bool step_group = has_step_group_ && m.matched[3];
  if (step_group || name == "step") {
    std::optional<int64_t> named = parse_step(name == "step" ? value : m.groups[3]);
    if (!named) {
      ++skipped_matches_;
    } else if (!step) {
      step = named;
    }
    if (name == "step") return;
  }
  std::optional<double> number = parse_value(value);
  if (!is_valid_metric_name(name) || !number) {
    ++skipped_matches_;
    return;
  }
  for (const Metric& seen : report.metrics) {
    if (seen.name == name) return;  // the first value on a line stands
  }
  report.metrics.push_back(Metric{std::string(name), *number});
}

std::optional<TrialReport> StdoutMetricMatcher::match_line(std::string_view line) {
  std::optional<int64_t> step;
  TrialReport report;
  int matches = 0;
  regex_.for_each_match(line, [&](const LineRegex::Match& m) {
    if (matches++ == kMaxMatchesPerLine) {
      ++truncated_lines_;
      return LineRegex::Next::kStop;
    }
    take_match(m, step, report);
    return LineRegex::Next::kMore;
  });
  if (step) last_step_ = step;
  if (report.metrics.empty()) return std::nullopt;
  report.step = step ? *step : last_step_ ? *last_step_ : next_implicit_step_++;
  return report;
}

Result<std::unique_ptr<StdoutMetricParser>> StdoutMetricParser::create(std::filesystem::path path,
                                                                       const std::string& regex,
                                                                       const Clock& clock) {
  Result<StdoutMetricMatcher> matcher = StdoutMetricMatcher::create(regex);
  if (!matcher) return matcher.status();
  return std::unique_ptr<StdoutMetricParser>(
      new StdoutMetricParser(std::move(path), std::move(*matcher), clock));
}

StdoutMetricParser::StdoutMetricParser(std::filesystem::path path, StdoutMetricMatcher matcher,
                                       const Clock& clock)
    : path_(std::move(path)), matcher_(std::move(matcher)), clock_(clock) {}

StdoutMetricParser::~StdoutMetricParser() {
  if (fd_ >= 0) close(fd_);
}

Status StdoutMetricParser::open_if_needed() {
  if (fd_ >= 0) return Status::ok();
  fd_ = open_trial_file(path_);
  if (fd_ < 0 && errno != ENOENT) {
    return io_error(path_.string() + ": cannot read the trial's stdout: " + std::strerror(errno));
  }
  return Status::ok();
}

Result<std::vector<TrialReport>> StdoutMetricParser::poll(AtEnd at_end) {
  std::vector<TrialReport> out;
  if (Status s = open_if_needed(); !s.is_ok()) return s;
  if (fd_ < 0) return out;  // not created yet
  struct stat st {};
  if (fstat(fd_, &st) != 0) return io_error(path_.string() + ": " + std::strerror(errno));
  if (uint64_t(st.st_size) < offset_) {  // truncated (the trial was restarted): start over
    offset_ = 0;
    partial_.clear();
    discarding_ = false;
  }
  std::vector<char> buffer(65536);
  std::size_t total = 0;
  bool at_eof = false;
  while (total < kMaxReadPerPoll) {
    ssize_t n = pread(fd_, buffer.data(), buffer.size(), off_t(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(path_.string() + ": " + std::strerror(errno));
    if (n == 0) {
      at_eof = true;
      break;
    }
    offset_ += uint64_t(n);
    total += std::size_t(n);
    take_bytes(std::string_view(buffer.data(), std::size_t(n)), out);
  }
  if (at_end == AtEnd::kYes && at_eof && !partial_.empty() && !discarding_) {
    std::string last = std::move(partial_);
    partial_.clear();
    take_line(last, out);
  }
  return out;
}

void StdoutMetricParser::take_bytes(std::string_view bytes, std::vector<TrialReport>& out) {
  while (!bytes.empty()) {
    // '\r' ends a line too: progress bars redraw themselves with it.
    std::size_t end = bytes.find_first_of("\r\n");
    if (end == std::string_view::npos) {
      if (discarding_) return;
      partial_.append(bytes);
      if (partial_.size() > kMaxLineBytes) {
        ++skipped_lines_;
        partial_.clear();
        discarding_ = true;
      }
      return;
    }
    std::string_view piece = bytes.substr(0, end);
    bytes.remove_prefix(end + 1);
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (partial_.size() + piece.size() > kMaxLineBytes) {
      ++skipped_lines_;
      partial_.clear();
      continue;
    }
    partial_.append(piece);
    std::string line = std::move(partial_);
    partial_.clear();
    take_line(line, out);
  }
}

void StdoutMetricParser::take_line(std::string_view line, std::vector<TrialReport>& out) {
  if (line.empty()) return;
  std::optional<TrialReport> report = matcher_.match_line(line);
  if (!report) return;
  report->received_ms = clock_.wall_ms();
  out.push_back(std::move(*report));
}

}  // namespace labsweep::agent
