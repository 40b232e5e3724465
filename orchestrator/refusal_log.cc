#include "orchestrator/refusal_log.h"

#include <cstdio>
#include <vector>

#include "base/log.h"

namespace labsweep::orchestrator {
namespace {

constexpr size_t kMaxPathChars = 200;
constexpr size_t kWindowsKeptOpen = 1024;

// What a client sent, fit for one log line: control bytes escaped (a line break must not start
// a forged line), long paths cut.
std::string printable(std::string_view text, size_t max_chars) {
  std::string out;
  for (char c : text.substr(0, max_chars)) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
      continue;
    }
    char escaped[5];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
    out += escaped;
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

// The refusals a window kept out of the log, counted on its next line.
std::string unlogged_note(const std::string& peer, int64_t count) {
  return " (and " + std::to_string(count) + " more like it from " + peer +
         " since the last such line)";
}

}  // namespace

RefusalLog::RefusalLog(const Clock& clock, Sink sink)
    : clock_(clock), sink_(sink ? std::move(sink) : [](const std::string& line) {
        log_line(LogLevel::kWarning, "server", line);
      }) {}

void RefusalLog::refused(const Refusal& refusal) {
  const Clock::TimePoint now = clock_.now();
  const std::string peer = printable(refusal.peer, kMaxPathChars);
  const std::string reason = printable(refusal.reason, kMaxPathChars);
  std::vector<std::string> lines;
  {
    MutexLock lock(mu_);
    lines = forget_closed_windows(now);
    auto [window, opened] = windows_.try_emplace(peer + '\n' + reason);
    if (!opened && now - window->second.opened < kWindow) {
      ++window->second.unlogged;
    } else {
      std::string line = "refused " + printable(refusal.method, 16) + " " +
                         printable(refusal.path, kMaxPathChars) + " from " + peer + " (" +
                         std::to_string(refusal.status) + "): " + reason;
      if (window->second.unlogged > 0) line += unlogged_note(peer, window->second.unlogged);
      lines.push_back(std::move(line));
      window->second = {.opened = now, .unlogged = 0};
    }
  }
  for (const std::string& line : lines) sink_(line);
}

std::vector<std::string> RefusalLog::forget_closed_windows(Clock::TimePoint now) {
  std::vector<std::string> lines;
  if (windows_.size() < kWindowsKeptOpen) return lines;
  for (auto it = windows_.begin(); it != windows_.end();) {
    if (now - it->second.opened < kWindow) {
      ++it;
      continue;
    }
    if (it->second.unlogged > 0) {
      const std::string& key = it->first;
      const size_t split = key.find('\n');
      lines.push_back("refused requests from " + key.substr(0, split) + ": " +
                      key.substr(split + 1) +
                      unlogged_note(key.substr(0, split), it->second.unlogged));
    }
    it = windows_.erase(it);
  }
  return lines;
}

}  // namespace labsweep::orchestrator
