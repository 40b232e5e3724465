#include "store/trial_status.h"

#include <cstdlib>

namespace labsweep::store {

std::string_view to_string(TrialStatus status) {
  switch (status) {
    case TrialStatus::kPending:
      return "pending";
    case TrialStatus::kRunning:
      return "running";
    case TrialStatus::kCompleted:
      return "completed";
    case TrialStatus::kFailed:
      return "failed";
    case TrialStatus::kStopped:
      return "stopped";
    case TrialStatus::kLost:
      return "lost";
  }
  std::abort();  // not a TrialStatus
}

std::optional<TrialStatus> parse_trial_status(std::string_view name) {
  for (TrialStatus status : kAllTrialStatuses) {
    if (to_string(status) == name) return status;
  }
  return std::nullopt;
}

bool is_final(TrialStatus status) {
  return status != TrialStatus::kPending && status != TrialStatus::kRunning;
}

}  // namespace labsweep::store
