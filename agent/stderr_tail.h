#pragma once

// The end of a trial's stderr file for TrialEnded: the last `max_bytes` at most, starting at a
// line boundary so that no line arrives cut at its start (unless one line alone is longer).

#include <cstddef>
#include <filesystem>
#include <string>

namespace labsweep::agent {

inline constexpr std::size_t kStderrTailBytes = 4096;

// Empty when the file is missing or empty.
std::string stderr_tail(const std::filesystem::path& path,
                        std::size_t max_bytes = kStderrTailBytes);

}  // namespace labsweep::agent
