#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace labsweep::sweeps {

// The candidate closest to `word` by edit distance, when it is close enough to be a likely
// typo (at most a third of the word's letters, and at least one, differ).
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

// " (did you mean 'x'?)" or "" — to append to an "unknown key" message.
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace labsweep::sweeps
