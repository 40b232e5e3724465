#include "store/sweep_state.h"

#include <cstdlib>

namespace labsweep::store {

std::string_view to_string(SweepState state) {
  switch (state) {
    case SweepState::kRunning:
      return "running";
    case SweepState::kCompleted:
      return "completed";
    case SweepState::kStopped:
      return "stopped";
  }
  std::abort();  // not a SweepState
}

std::optional<SweepState> parse_sweep_state(std::string_view name) {
  for (SweepState state : kAllSweepStates) {
    if (to_string(state) == name) return state;
  }
  return std::nullopt;
}

}  // namespace labsweep::store
