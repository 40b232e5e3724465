#include "store/agent_state.h"

#include <cstdlib>

namespace labsweep::store {

std::string_view to_string(AgentState state) {
  switch (state) {
    case AgentState::kOnline:
      return "online";
    case AgentState::kOffline:
      return "offline";
    case AgentState::kLost:
      return "lost";
  }
  std::abort();  // not an AgentState
}

std::optional<AgentState> parse_agent_state(std::string_view name) {
  for (AgentState state : kAllAgentStates) {
    if (to_string(state) == name) return state;
  }
  return std::nullopt;
}

}  // namespace labsweep::store
