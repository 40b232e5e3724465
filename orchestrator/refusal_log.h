#pragma once

// The log of refused HTTP requests (docs/security.md "The HTTP API"): who was refused, what they
// asked for and why, never the token they sent. A client that keeps knocking (a script with a
// revoked token, a scan) gets one line per address and reason per window; the refusals in
// between are counted into the next line, so that the log stays readable and cannot be flooded.
// Thread-safe.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"

namespace labsweep::orchestrator {

struct Refusal {
  std::string_view peer;    // the client's address
  std::string_view method;  // as sent
  std::string_view path;    // as sent, without the query
  int status = 0;           // 401, 403
  std::string_view reason;  // what the client was told, which never repeats a token
};

class RefusalLog {
 public:
  using Sink = std::function<void(const std::string& line)>;
  static constexpr std::chrono::seconds kWindow{60};

  // `clock` is borrowed. `sink` receives each line; the default writes a warning to the log.
  explicit RefusalLog(const Clock& clock, Sink sink = {});

  void refused(const Refusal& refusal);

 private:
  struct Window {
    Clock::TimePoint opened;
    int64_t unlogged = 0;  // refusals since the window's line
  };
  // Drops the windows that have closed, once there are many (addresses are unbounded); the lines
  // for the refusals they had not logged yet.
  std::vector<std::string> forget_closed_windows(Clock::TimePoint now) REQUIRES(mu_);

  const Clock& clock_;
  const Sink sink_;
  Mutex mu_;
  std::map<std::string, Window> windows_ GUARDED_BY(mu_);  // by address and reason
};

}  // namespace labsweep::orchestrator
