#pragma once

// Whether a sweep still proposes trials. Stored as its lowercase name (docs/storage.md).

#include <array>
#include <optional>
#include <string_view>

namespace labsweep::store {

enum class SweepState { kRunning, kCompleted, kStopped };

inline constexpr std::array<SweepState, 3> kAllSweepStates = {
    SweepState::kRunning, SweepState::kCompleted, SweepState::kStopped};

// "running", "completed", "stopped".
std::string_view to_string(SweepState state);
// The state a name stands for, or nullopt for any other text (names are case-sensitive).
std::optional<SweepState> parse_sweep_state(std::string_view name);

}  // namespace labsweep::store
