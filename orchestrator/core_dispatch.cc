// Scheduling: free slots to pending trials first, then to new suggestions, sweeps taking turns
// by how few trials they have running; and trials that run past their timeout.

#include <algorithm>
#include <utility>

#include "orchestrator/core.h"

namespace labsweep::orchestrator {
namespace {

bool under_limit(const LiveSweep& sweep) {
  const std::optional<int64_t>& limit = sweep.spec->labsweep.max_concurrent;
  return !limit || sweep.active() < *limit;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  auto whole = ms.count() / 1000;
  auto frac = ms.count() % 1000;
  if (frac == 0) return std::to_string(whole) + " s";
  return std::to_string(ms.count()) + " ms";
}

}  // namespace

void Core::dispatch() {
  for (;;) {
    std::vector<LiveSweep*> order;
    for (auto& [id, sweep] : sweeps_) {
      if (sweep.state == store::SweepState::kRunning && sweep.has_work() && under_limit(sweep))
        order.push_back(&sweep);
    }
    if (order.empty()) return;
    // Fair share: the sweep with the fewest trials running goes first; the older one on a tie
    // (the map is in id order and the sort is stable).
    std::stable_sort(order.begin(), order.end(), [](const LiveSweep* a, const LiveSweep* b) {
      return a->active() < b->active();
    });
    bool placed = false;
    for (LiveSweep* sweep : order) {
      if (try_place(*sweep)) {
        placed = true;
        break;
      }
    }
    if (!placed) return;
  }
}

ResourceNeed Core::need_of(const LiveSweep& sweep, const AgentEntry& agent) const {
  const std::optional<int64_t>& gpus = sweep.spec->labsweep.gpus;
  if (gpus) return {.gpus = static_cast<int>(*gpus)};
  return {.gpus = agent.slots.has_gpus() ? 1 : 0};
}

bool Core::try_place(LiveSweep& sweep) {
  for (auto& [name, agent] : agents_) {
    if (!agent.online() || !agent.id || agent.resync) continue;
    std::optional<std::vector<int>> gpus = agent.slots.find(need_of(sweep, agent));
    if (!gpus) continue;
    if (!sweep.pending.empty()) {
      store::TrialId id = sweep.pending.front();
      sweep.pending.pop_front();
      start_trial(trials_.at(id), agent, std::move(*gpus));
      return true;
    }
    if (sweep.no_more_suggestions()) return false;
    return place_new(sweep, agent, std::move(*gpus));
  }
  return false;
}

bool Core::place_new(LiveSweep& sweep, AgentEntry& agent, std::vector<int> gpus) {
  // Asked only now that a slot is free for it: a method is never run ahead of the lab.
  std::optional<sweeps::Suggestion> suggestion = sweep.method->next();
  if (!suggestion) {
    sweep.exhausted = true;
    maybe_complete(sweep);
    return false;
  }
  ++sweep.trials_created;
  if (trial_ids_.wants_block()) ask_trial_ids();
  if (std::optional<store::TrialId> id = trial_ids_.take()) {
    start_reserved(sweep, agent, std::move(gpus), *id, *suggestion);
    return true;
  }
  // No id at hand: the store picks one, and the trial starts once its row is committed.
  ++sweep.placing;
  agent.slots.hold(gpus);
  Placement placement{.sweep = sweep.id,
                      .agent = agent.name,
                      .generation = agent.generation,
                      .gpus = std::move(gpus),
                      .params_json = params_json(*sweep.spec, *suggestion),
                      .suggestion = *suggestion};
  write(store::AddTrial{.sweep = sweep.id,
                        .suggestion_index = static_cast<int64_t>(suggestion->index),
                        .params_json = placement.params_json,
                        .created_ms = clock_.wall_ms()},
        std::function<void(Result<store::TrialId>)>(
            [this, placement](Result<store::TrialId> added) { on_trial_added(placement, added); }));
  return true;
}

void Core::start_reserved(LiveSweep& sweep, AgentEntry& agent, std::vector<int> gpus,
                          store::TrialId id, const sweeps::Suggestion& suggestion) {
  LiveTrial& trial = trials_[id];
  trial = LiveTrial{.id = id,
                    .sweep = sweep.id,
                    .params_json = params_json(*sweep.spec, suggestion),
                    .suggestion = suggestion};
  // Written before start_trial's StartTrial; one writer applies them in that order.
  write(store::AddTrial{.sweep = sweep.id,
                        .suggestion_index = static_cast<int64_t>(suggestion.index),
                        .params_json = trial.params_json,
                        .created_ms = clock_.wall_ms(),
                        .id = id},
        std::function<void(Result<store::TrialId>)>([this, id](Result<store::TrialId> added) {
          if (added) return;
          // Its row is not in the store, so nothing of it can be: it must not run on.
          log("trial " + std::to_string(id.value) + ": " + added.status().message(),
              LogLevel::kWarning);
          if (auto it = trials_.find(id);
              it != trials_.end() && it->second.phase == TrialPhase::kRunning)
            send_stop(it->second, "its record could not be stored");
        }));
  start_trial(trial, agent, std::move(gpus));
}

void Core::ask_trial_ids() {
  trial_ids_.asked();
  write(store::ReserveTrialIds{.count = TrialIdPool::kBlock},
        std::function<void(Result<store::TrialId>)>([this](Result<store::TrialId> first) {
          if (first) {
            trial_ids_.add_block(*first, TrialIdPool::kBlock);
          } else {
            trial_ids_.block_failed();  // trials get their ids from the store meanwhile
          }
        }));
}

void Core::release_trial_ids() {
  if (std::optional<store::TrialId> first = trial_ids_.first_unused()) {
    write(store::ReleaseTrialIds{.first = *first});
  }
}

void Core::on_trial_added(const Placement& placement, Result<store::TrialId> added) {
  LiveSweep& sweep = sweeps_.at(placement.sweep);
  --sweep.placing;
  AgentEntry* agent = agent_named(placement.agent);
  bool held = agent != nullptr && agent->generation == placement.generation;
  if (held) agent->slots.release(placement.gpus);  // start_trial holds them again
  if (!added) {
    log("sweep " + std::to_string(sweep.id.value) + ": " + added.status().message(),
        LogLevel::kWarning);
    // The suggestion runs nowhere; a method that counts it as running must not wait for it.
    if (sweep.method->learns())
      sweep.method->observe(sweeps::TrialResult{.index = placement.suggestion.index,
                                                .values = placement.suggestion.values,
                                                .outcome = sweeps::TrialOutcome::kFailed});
    maybe_complete(sweep);
    dispatch();
    return;
  }
  LiveTrial& trial = trials_[*added];
  trial = LiveTrial{.id = *added,
                    .sweep = sweep.id,
                    .params_json = placement.params_json,
                    .suggestion = placement.suggestion};
  if (sweep.state != store::SweepState::kRunning) {
    end_trial(trial,
              store::FinishTrial{.trial = trial.id,
                                 .status = store::TrialStatus::kStopped,
                                 .stop_reason = "sweep stopped",
                                 .finished_ms = clock_.wall_ms()},
              false);
    return;
  }
  if (held && agent->online()) {
    start_trial(trial, *agent, placement.gpus);
  } else {
    sweep.pending.push_back(trial.id);  // its agent left meanwhile
    dispatch();
  }
}

void Core::start_trial(LiveTrial& trial, AgentEntry& agent, std::vector<int> gpus) {
  LiveSweep& sweep = sweeps_.at(trial.sweep);
  Result<std::vector<std::string>> argv =
      trial_argv(*sweep.spec, trial.params_json, options_.getenv);
  if (!argv) {
    end_trial(trial,
              store::FinishTrial{.trial = trial.id,
                                 .status = store::TrialStatus::kFailed,
                                 .stderr_tail = argv.status().message(),
                                 .finished_ms = clock_.wall_ms()},
              false);
    return;
  }
  trial.phase = TrialPhase::kRunning;
  trial.agent = agent.name;
  trial.gpus = std::move(gpus);
  ++trial.attempts;
  trial.started = clock_.now();
  trial.stopping.reset();
  agent.slots.hold(trial.gpus);
  agent.trials.insert(trial.id);
  ++sweep.running;
  write(store::StartTrial{
      .trial = trial.id, .agent = *agent.id, .gpus = trial.gpus, .started_ms = clock_.wall_ms()});
  const sweeps::LabsweepSettings& settings = sweep.spec->labsweep;
  outbox_.send(agent.peer, protocol::Assign{.trial_id = trial.id.value,
                                            .sweep_id = sweep.id.value,
                                            .argv = std::move(*argv),
                                            .env = {},
                                            .gpus = trial.gpus,
                                            .params_json = trial.params_json,
                                            .stdout_regex = settings.stdout_regex.value_or(""),
                                            .stop_grace = settings.stop_grace,
                                            .kill_delay = settings.kill_delay});
  event("trial_assigned",
        "trial " + std::to_string(trial.id.value) + " of sweep " + std::to_string(sweep.id.value) +
            " assigned to agent " + agent.name + " (attempt " + std::to_string(trial.attempts) +
            ")",
        sweep.id, trial.id, agent.id);
}

void Core::check_timeouts() {
  Clock::TimePoint now = clock_.now();
  for (auto& [name, agent] : agents_) {
    for (store::TrialId id : agent.trials) {
      LiveTrial& trial = trials_.at(id);
      const std::optional<std::chrono::milliseconds>& timeout =
          sweeps_.at(trial.sweep).spec->labsweep.trial_timeout;
      if (timeout && !trial.stopping && now - trial.started > *timeout)
        send_stop(trial, "timed out after " + seconds_text(*timeout));
    }
  }
}

}  // namespace labsweep::orchestrator
