#pragma once

// Log lines for people: one line per event on stderr, "labsweep WHO: message". Routine events
// (a trial started, an agent joined) are kInfo; problems are kWarning. `labsweep run` shows only
// warnings unless asked, since its progress line already says what happens; `server` and
// `agent` show everything.

#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>

namespace labsweep {

enum class LogLevel { kInfo = 0, kWarning = 1 };

namespace log_detail {
inline std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
}  // namespace log_detail

// Lines below `level` are dropped from now on. Thread-safe.
inline void set_min_log_level(LogLevel level) {
  log_detail::min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

inline bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= log_detail::min_level.load(std::memory_order_relaxed);
}

// Writes "labsweep `who`: `message`\n" in one call, so lines from threads never interleave.
inline void log_line(LogLevel level, std::string_view who, std::string_view message) {
  if (!log_enabled(level)) return;
  std::string line = "labsweep ";
  line.append(who).append(": ").append(message).push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace labsweep
