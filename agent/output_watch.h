#pragma once

// Follows the running trials' stdout.log and stderr.log for the orchestrator's view of them
// (docs/agent.md, "Trial output"): at most once per interval per trial, what each file gained
// since the last look, in chunks of at most chunk_bytes; when a file has run further ahead than
// window_bytes, only its last window_bytes, the offsets showing the gap. The output is a view,
// not a record: what is read goes out once, best effort, never through the outbox. Not
// thread-safe: the agent's loop drives it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "base/clock.h"
#include "protocol/messages.h"

namespace labsweep::agent {

struct OutputLimits {
  std::chrono::milliseconds interval{1000};  // the least time between two looks at a trial
  size_t chunk_bytes = 16 << 10;             // the most data in one TrialOutput
  size_t window_bytes = 64 << 10;            // the most of a file read in one look
};

class OutputWatch {
 public:
  // `clock` must outlive the watch.
  OutputWatch(const Clock& clock, OutputLimits limits) : clock_(clock), limits_(limits) {}

  // Follows <dir>/stdout.log and <dir>/stderr.log of a trial that has just started; its first
  // look is due one interval from now.
  void add(int64_t trial_id, const std::filesystem::path& dir);
  // The trial has ended: what its files gained since the last look, whether due or not, and the
  // trial is forgotten.
  std::vector<protocol::TrialOutput> finish(int64_t trial_id);
  // What the files of every trial whose look is due gained since the last one.
  std::vector<protocol::TrialOutput> take_due();
  // The next look due, or nullopt when no trial is followed.
  std::optional<Clock::TimePoint> next_deadline() const;
  // A new connection: the receiver may have forgotten what it was sent (an orchestrator that
  // restarted), so each file's last window goes out again at its trial's next look.
  void resend_windows();

 private:
  struct File {
    std::filesystem::path path;
    protocol::TrialOutput::Stream stream;
    int64_t sent = 0;  // the file's bytes before this one were sent or skipped
  };
  struct Trial {
    File out;
    File err;
    Clock::TimePoint due;
  };

  void read(int64_t trial_id, File& file, std::vector<protocol::TrialOutput>& out) const;

  const Clock& clock_;
  const OutputLimits limits_;
  std::map<int64_t, Trial> trials_;
};

}  // namespace labsweep::agent
