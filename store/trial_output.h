#pragma once

// What the store keeps of a trial's stdout and stderr (docs/storage.md, "Trial output"): the
// last kTrialOutputBytes of each, as the agent sent them (protocol TrialOutput), by byte offset
// in the file the trial wrote. A view for people, not a record: the agent skips what it cannot
// keep up with, and a new attempt starts the trial's output over.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/ids.h"

namespace labsweep::store {

class StatementCache;

inline constexpr int64_t kTrialOutputBytes = 64 << 10;

enum class OutputStream { kStdout, kStderr };

std::string_view to_string(OutputStream stream);
std::optional<OutputStream> parse_output_stream(std::string_view text);

// One stream's kept output, cut to its last kTrialOutputBytes and to the bytes after the last
// gap, so that `data` is what the trial wrote from byte `start` to byte `end` of the file. All
// zero when nothing was kept.
struct OutputTail {
  int64_t start = 0;
  int64_t end = 0;
  std::string data{};  // raw bytes, as the trial wrote them
  friend bool operator==(const OutputTail&, const OutputTail&) = default;
};

// For StoreReader::trial_output: kNotFound when there is no such trial.
Result<OutputTail> read_output_tail(StatementCache& cache, TrialId trial, OutputStream stream);

}  // namespace labsweep::store
