#pragma once

// Where a trial is in its life: pending until placed on a slot, running, then one of the final
// statuses. Stored as its lowercase name (docs/storage.md).

#include <array>
#include <optional>
#include <string_view>

namespace labsweep::store {

enum class TrialStatus { kPending, kRunning, kCompleted, kFailed, kStopped, kLost };

inline constexpr std::array<TrialStatus, 6> kAllTrialStatuses = {
    TrialStatus::kPending, TrialStatus::kRunning, TrialStatus::kCompleted,
    TrialStatus::kFailed,  TrialStatus::kStopped, TrialStatus::kLost};

// "pending", "running", "completed", "failed", "stopped", "lost".
std::string_view to_string(TrialStatus status);
// The status a name stands for, or nullopt for any other text (names are case-sensitive).
std::optional<TrialStatus> parse_trial_status(std::string_view name);
// Completed, failed, stopped and lost are final: the trial no longer holds a slot.
bool is_final(TrialStatus status);

}  // namespace labsweep::store
