#pragma once

// Distinct id types for the rows of the store (docs/storage.md), so that a trial id cannot be
// passed where a sweep id is meant. Ids are SQLite rowids: positive once a row exists.

#include <compare>
#include <cstdint>
#include <functional>

namespace labsweep::store {

struct SweepId {
  int64_t value = 0;
  friend auto operator<=>(const SweepId&, const SweepId&) = default;
};

struct TrialId {
  int64_t value = 0;
  friend auto operator<=>(const TrialId&, const TrialId&) = default;
};

struct AgentId {
  int64_t value = 0;
  friend auto operator<=>(const AgentId&, const AgentId&) = default;
};

// Events are numbered in the order they were committed; a reader's cursor is the last one seen.
struct EventId {
  int64_t value = 0;
  friend auto operator<=>(const EventId&, const EventId&) = default;
};

}  // namespace labsweep::store

template <>
struct std::hash<labsweep::store::SweepId> {
  size_t operator()(labsweep::store::SweepId id) const { return std::hash<int64_t>()(id.value); }
};
template <>
struct std::hash<labsweep::store::TrialId> {
  size_t operator()(labsweep::store::TrialId id) const { return std::hash<int64_t>()(id.value); }
};
template <>
struct std::hash<labsweep::store::AgentId> {
  size_t operator()(labsweep::store::AgentId id) const { return std::hash<int64_t>()(id.value); }
};
template <>
struct std::hash<labsweep::store::EventId> {
  size_t operator()(labsweep::store::EventId id) const { return std::hash<int64_t>()(id.value); }
};
