#pragma once

// Whether an agent is connected: online while it heartbeats, offline after it said goodbye,
// lost when it went silent past the deadline. Stored as its lowercase name (docs/storage.md).

#include <array>
#include <optional>
#include <string_view>

namespace labsweep::store {

enum class AgentState { kOnline, kOffline, kLost };

inline constexpr std::array<AgentState, 3> kAllAgentStates = {
    AgentState::kOnline, AgentState::kOffline, AgentState::kLost};

// "online", "offline", "lost".
std::string_view to_string(AgentState state);
// The state a name stands for, or nullopt for any other text (names are case-sensitive).
std::optional<AgentState> parse_agent_state(std::string_view name);

}  // namespace labsweep::store
