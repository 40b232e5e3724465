// The agent registry: hello and welcome, heartbeats, re-adoption of running trials, and agents
// presumed lost when silent past their deadline.

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "orchestrator/core.h"

namespace labsweep::orchestrator {
namespace {

std::string gpus_json(const std::vector<protocol::GpuState>& gpus) {
  nlohmann::json list = nlohmann::json::array();
  for (const protocol::GpuState& gpu : gpus) {
    nlohmann::json item = {{"index", gpu.index},
                           {"name", gpu.name},
                           {"memory_total_mb", gpu.memory_total_mb},
                           {"memory_used_by_others_mb", gpu.memory_used_by_others_mb},
                           {"used_by_others", gpu.used_by_others}};
    if (gpu.memory_used_mb) item["memory_used_mb"] = *gpu.memory_used_mb;
    if (gpu.utilization_percent) item["utilization_percent"] = *gpu.utilization_percent;
    list.push_back(std::move(item));
  }
  // Replacing invalid UTF-8 in a GPU name keeps dump() from throwing.
  return list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

AgentEntry* Core::agent_of(const PeerId& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return nullptr;
  AgentEntry* agent = agent_named(it->second);
  return agent != nullptr && agent->online() && agent->peer == peer ? agent : nullptr;
}

AgentEntry* Core::agent_named(const std::string& name) {
  auto it = agents_.find(name);
  return it == agents_.end() ? nullptr : &it->second;
}

void Core::on_hello(const PeerId& peer, protocol::Hello hello) {
  if (hello.agent_name.empty()) {
    ++stats_.frames_dropped;
    log("dropped a hello without an agent name", LogLevel::kWarning);
    return;
  }
  auto [it, is_new] = agents_.try_emplace(hello.agent_name);
  AgentEntry& agent = it->second;
  bool was_online = !is_new && agent.online();
  if (!is_new && agent.peer != peer) peers_.erase(agent.peer);  // the newer route wins
  agent.name = hello.agent_name;
  agent.host = hello.host;
  agent.peer = peer;
  agent.state = store::AgentState::kOnline;
  agent.last_seen = clock_.now();
  agent.last_seen_ms = clock_.wall_ms();
  agent.acks.reset();
  agent.resync = false;
  ++agent.generation;
  agent.slots = AgentSlots(hello.gpus, hello.slots_per_gpu, hello.cpu_slots);
  for (store::TrialId id : agent.trials) agent.slots.hold(trials_.at(id).gpus);
  if (auto known = agent_ids_.find(agent.name); known != agent_ids_.end()) agent.id = known->second;
  peers_[peer] = agent.name;
  outbox_.send(peer, protocol::Welcome{.heartbeat_interval = options_.heartbeat_interval});

  std::string name = agent.name;
  write(store::RecordAgent{.name = name,
                           .host = hello.host,
                           .gpus_json = gpus_json(hello.gpus),
                           .seen_ms = clock_.wall_ms()},
        std::function<void(Result<store::AgentId>)>([this, name](Result<store::AgentId> id) {
          if (!id) return log_write_failure(id);
          agent_ids_[name] = *id;
          if (AgentEntry* entry = agent_named(name)) entry->id = *id;
          dispatch();
        }));
  if (!was_online)
    event("agent_joined",
          "agent " + agent.name + " (" + agent.host + ") joined with " +
              std::to_string(hello.gpus.size()) + " GPUs and " + std::to_string(hello.cpu_slots) +
              " CPU slots",
          {}, {}, agent.id);
  readopt(agent, hello.running_trials);
  dispatch();
}

void Core::on_heartbeat(AgentEntry& agent, protocol::Heartbeat heartbeat) {
  std::optional<std::string> json;
  if (heartbeat.gpus != agent.slots.gpus()) {
    json = gpus_json(heartbeat.gpus);
    agent.slots.update_gpus(std::move(heartbeat.gpus));
  }
  if (agent.id)
    write(
        store::RecordHeartbeat{.agent = *agent.id, .at_ms = agent.last_seen_ms, .gpus_json = json});
  if (json) dispatch();  // a GPU may have become free
}

void Core::readopt(AgentEntry& agent, const std::vector<int64_t>& running) {
  unaccounted(agent, running);
  for (int64_t raw : running) {
    store::TrialId id{raw};
    auto it = trials_.find(id);
    bool ours = false;
    if (it != trials_.end()) {
      LiveTrial& trial = it->second;
      switch (trial.phase) {
        case TrialPhase::kRunning:
          ours = trial.agent == agent.name;
          break;
        case TrialPhase::kAwaitingAgent:
          ours = trial.agent == agent.name;
          if (ours) readopt_one(agent, trial);
          break;
        case TrialPhase::kPending:
          ours = agent.id.has_value();  // not yet placed elsewhere: it may stay where it runs
          if (ours) readopt_one(agent, trial);
          break;
      }
    }
    if (!ours) {
      // Finished, re-placed elsewhere, or unknown: it must not run twice.
      log("agent " + agent.name + " still runs trial " + std::to_string(raw) +
          ", which is not its own any more: stopping it");
      outbox_.send(agent.peer, protocol::Stop{.trial_id = raw, .reason = "re-placed elsewhere"});
    }
  }
}

void Core::unaccounted(AgentEntry& agent, const std::vector<int64_t>& running) {
  // Trials this agent had that its hello does not list have ended while the link was down; their
  // trial_ended is normally in the agent's outbox, resent right after the hello. Until it comes
  // they hold no slot; if it never does, they are lost at the deadline (check_deadlines).
  std::set<int64_t> listed(running.begin(), running.end());
  for (auto& [id, trial] : trials_) {
    bool here = trial.agent == agent.name &&
                (trial.phase == TrialPhase::kRunning || trial.phase == TrialPhase::kAwaitingAgent);
    if (!here || listed.contains(id.value)) continue;
    release_slots(trial);
    trial.phase = TrialPhase::kAwaitingAgent;
    trial.agent_deadline = clock_.now() + agent_deadline();
  }
}

void Core::readopt_one(AgentEntry& agent, LiveTrial& trial) {
  LiveSweep& sweep = sweeps_.at(trial.sweep);
  if (trial.phase == TrialPhase::kPending) {
    std::erase(sweep.pending, trial.id);
    ++sweep.running;
    // The same process goes on: running again, but not another attempt.
    write(store::StartTrial{.trial = trial.id,
                            .agent = *agent.id,
                            .gpus = trial.gpus,
                            .started_ms = clock_.wall_ms(),
                            .new_attempt = false});
  }
  trial.phase = TrialPhase::kRunning;
  trial.agent = agent.name;
  trial.started = clock_.now();
  agent.trials.insert(trial.id);
  agent.slots.hold(trial.gpus);
  event("trial_readopted",
        "trial " + std::to_string(trial.id.value) + " re-adopted on agent " + agent.name,
        trial.sweep, trial.id, agent.id);
  if (trial.stopping) {
    outbox_.send(agent.peer, protocol::Stop{.trial_id = trial.id.value, .reason = *trial.stopping});
  } else if (sweep.state != store::SweepState::kRunning) {
    send_stop(trial, "sweep stopped");
  }
}

void Core::lose_agent(AgentEntry& agent) {
  agent.state = store::AgentState::kLost;
  peers_.erase(agent.peer);
  ++agent.generation;
  if (agent.id) write(store::SetAgentState{.agent = *agent.id, .state = store::AgentState::kLost});
  event("agent_lost",
        "agent " + agent.name + " lost: silent for more than " +
            std::to_string(agent_deadline().count()) + " ms",
        {}, {}, agent.id);
  std::vector<store::TrialId> trials(agent.trials.begin(), agent.trials.end());
  for (store::TrialId id : trials) {
    LiveTrial& trial = trials_.at(id);
    bool retry = !trial.stopping;  // a trial being stopped is not run again
    end_trial(trial,
              store::FinishTrial{.trial = id,
                                 .status = store::TrialStatus::kLost,
                                 .stop_reason = "agent " + agent.name + " lost",
                                 .finished_ms = clock_.wall_ms()},
              retry);
  }
}

void Core::check_deadlines() {
  Clock::TimePoint now = clock_.now();
  for (auto& [name, agent] : agents_) {
    if (agent.online() && now - agent.last_seen > agent_deadline()) lose_agent(agent);
  }
  std::vector<store::TrialId> orphans;
  for (const auto& [id, trial] : trials_) {
    if (trial.phase == TrialPhase::kAwaitingAgent && now > trial.agent_deadline)
      orphans.push_back(id);
  }
  std::sort(orphans.begin(), orphans.end());  // a deterministic order for the store
  for (store::TrialId id : orphans) {
    LiveTrial& trial = trials_.at(id);
    bool retry = !trial.stopping;
    end_trial(trial,
              store::FinishTrial{.trial = id,
                                 .status = store::TrialStatus::kLost,
                                 .stop_reason = "agent " + trial.agent + " did not come back",
                                 .finished_ms = clock_.wall_ms()},
              retry);
  }
}

}  // namespace labsweep::orchestrator
