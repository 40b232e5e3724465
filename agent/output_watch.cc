#include "agent/output_watch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "agent/trial_file.h"
#include "agent/unique_fd.h"

namespace labsweep::agent {

void OutputWatch::add(int64_t trial_id, const std::filesystem::path& dir) {
  using Stream = protocol::TrialOutput::Stream;
  trials_[trial_id] =
      Trial{File{dir / "stdout.log", Stream::kStdout}, File{dir / "stderr.log", Stream::kStderr},
            clock_.now() + limits_.interval};
}

std::vector<protocol::TrialOutput> OutputWatch::finish(int64_t trial_id) {
  std::vector<protocol::TrialOutput> out;
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) return out;
  read(trial_id, it->second.out, out);
  read(trial_id, it->second.err, out);
  trials_.erase(it);
  return out;
}

std::vector<protocol::TrialOutput> OutputWatch::take_due() {
  std::vector<protocol::TrialOutput> out;
  Clock::TimePoint now = clock_.now();
  for (auto& [id, trial] : trials_) {
    if (now < trial.due) continue;
    read(id, trial.out, out);
    read(id, trial.err, out);
    trial.due = now + limits_.interval;
  }
  return out;
}

std::optional<Clock::TimePoint> OutputWatch::next_deadline() const {
  std::optional<Clock::TimePoint> next;
  for (const auto& [id, trial] : trials_) {
    if (!next || trial.due < *next) next = trial.due;
  }
  return next;
}

void OutputWatch::resend_windows() {
  const auto window = static_cast<int64_t>(limits_.window_bytes);
  for (auto& [id, trial] : trials_) {
    for (File* file : {&trial.out, &trial.err})
      file->sent = std::max<int64_t>(0, file->sent - window);
  }
}

// Reads by offset from a file the trial appends to: the bytes the size said are there are
// there, whatever the trial writes meanwhile. A file that is missing (the launcher has not made
// it) or unreadable yields nothing this time.
void OutputWatch::read(int64_t trial_id, File& file,
                       std::vector<protocol::TrialOutput>& out) const {
  UniqueFd fd(open_trial_file(file.path));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) return;
  const int64_t size = st.st_size;
  if (size < file.sent) file.sent = size;  // truncated: followed from its new end
  int64_t from = std::max(file.sent, size - static_cast<int64_t>(limits_.window_bytes));
  while (from < size) {
    size_t want = static_cast<size_t>(std::min<int64_t>(size - from, limits_.chunk_bytes));
    std::string data(want, '\0');
    ssize_t got = ::pread(fd.get(), data.data(), want, from);
    if (got <= 0) break;
    data.resize(static_cast<size_t>(got));
    out.push_back(protocol::TrialOutput{trial_id, file.stream, from, std::move(data)});
    from += got;
  }
  file.sent = from;
}

}  // namespace labsweep::agent
