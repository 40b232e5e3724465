#include "orchestrator/core.h"

#include <cstdio>
#include <type_traits>
#include <utility>

namespace labsweep::orchestrator {

Core::Core(CoreOptions options, store::StoreWriter& writer, store::StoreReader& reader,
           Clock& clock, Outbox& outbox, TaskQueue& queue)
    : options_(std::move(options)),
      writer_(writer),
      reader_(reader),
      clock_(clock),
      outbox_(outbox),
      queue_(queue) {}

void Core::on_message(const PeerId& peer, protocol::Message message) {
  if (auto* hello = std::get_if<protocol::Hello>(&message)) {
    on_hello(peer, std::move(*hello));
    return;
  }
  AgentEntry* agent = agent_of(peer);
  if (agent == nullptr) {
    // A connection that never said hello (or one replaced by a newer hello): its data is not
    // acknowledged, so the agent keeps it and resends it after its next hello.
    ++stats_.frames_dropped;
    log(std::string("dropped '") + protocol::type_name(message) + "' from a peer without hello",
        LogLevel::kWarning);
    return;
  }
  agent->last_seen = clock_.now();
  agent->last_seen_ms = clock_.wall_ms();
  std::visit(
      [&](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, protocol::Heartbeat>) {
          on_heartbeat(*agent, std::move(m));
        } else if constexpr (std::is_same_v<M, protocol::Decide>) {
          on_decide(*agent, m);
        } else if constexpr (std::is_same_v<M, protocol::TrialOutput>) {
          on_trial_output(*agent, std::move(m));
        } else if constexpr (std::is_same_v<M, protocol::Metrics> ||
                             std::is_same_v<M, protocol::TrialStarted> ||
                             std::is_same_v<M, protocol::TrialEnded>) {
          on_data(*agent, message);
        } else {
          ++stats_.frames_dropped;  // an orchestrator's message sent to the orchestrator
          log(std::string("dropped '") + protocol::type_name(message) + "' from agent " +
                  agent->name + ": agents do not send it",
              LogLevel::kWarning);
        }
      },
      message);
}

void Core::on_tick() {
  Clock::TimePoint now = clock_.now();
  if (now >= next_heartbeat_) {
    for (auto& [name, agent] : agents_) {
      if (agent.online() && !agent.resync) outbox_.send(agent.peer, protocol::Heartbeat{});
    }
    next_heartbeat_ = now + options_.heartbeat_interval;
  }
  check_deadlines();
  check_timeouts();
  dispatch();
}

std::vector<LiveAgent> Core::agents() const {
  std::vector<LiveAgent> out;
  for (const auto& [name, agent] : agents_) {
    LiveAgent live{.id = agent.id.value_or(store::AgentId{}),
                   .name = agent.name,
                   .host = agent.host,
                   .state = agent.state,
                   .slots_per_gpu = agent.slots.slots_per_gpu(),
                   .cpu_slots = agent.slots.cpu_slots(),
                   .slots_total = agent.slots.slots_total(),
                   .slots_used = agent.slots.slots_used(),
                   .last_heartbeat_ms = agent.last_seen_ms};
    for (const protocol::GpuState& gpu : agent.slots.gpus()) {
      LiveGpu g{.index = gpu.index,
                .name = gpu.name,
                .memory_total_mb = gpu.memory_total_mb,
                .memory_used_by_others_mb = gpu.memory_used_by_others_mb,
                .used_by_others = gpu.used_by_others,
                .memory_used_mb = gpu.memory_used_mb,
                .utilization_percent = gpu.utilization_percent,
                .free = agent.online() && agent.slots.gpu_free(gpu.index)};
      for (store::TrialId id : agent.trials) {
        auto it = trials_.find(id);
        if (it == trials_.end()) continue;
        for (int index : it->second.gpus) {
          if (index == gpu.index) g.trials.push_back(id);
        }
      }
      live.gpus.push_back(std::move(g));
    }
    live.running_trials.assign(agent.trials.begin(), agent.trials.end());
    for (store::TrialId id : agent.trials) {
      auto it = trials_.find(id);
      if (it == trials_.end()) continue;
      live.running.push_back({.trial = id, .sweep = it->second.sweep, .gpus = it->second.gpus});
    }
    out.push_back(std::move(live));
  }
  return out;
}

void Core::event(std::string kind, std::string message, std::optional<store::SweepId> sweep,
                 std::optional<store::TrialId> trial, std::optional<store::AgentId> agent) {
  log(message);
  write(store::AddEvent{.time_ms = clock_.wall_ms(),
                        .sweep = sweep,
                        .trial = trial,
                        .agent = agent,
                        .kind = std::move(kind),
                        .message = std::move(message)});
}

void Core::log(const std::string& line, LogLevel level) const {
  log_line(level, "orchestrator", line);
}

void Core::log_write_failure(const Status& status) {
  log_line(LogLevel::kWarning, "orchestrator", "store: " + status.message());
}

}  // namespace labsweep::orchestrator
