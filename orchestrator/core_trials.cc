// How trials end: stop requests, final statuses, retries, and the sweep that completes when
// its last trial ends.

#include <algorithm>
#include <utility>

#include "orchestrator/core.h"
#include "store/trial_status.h"

namespace labsweep::orchestrator {

void Core::send_stop(LiveTrial& trial, std::string reason) {
  if (trial.stopping) return;
  trial.stopping = reason;
  if (trial.phase != TrialPhase::kRunning) return;  // told when its agent comes back
  AgentEntry* agent = agent_named(trial.agent);
  if (agent == nullptr || !agent->online()) return;
  log("stopping trial " + std::to_string(trial.id.value) + ": " + reason);
  outbox_.send(agent->peer,
               protocol::Stop{.trial_id = trial.id.value, .reason = std::move(reason)});
}

void Core::release_slots(LiveTrial& trial) {
  if (trial.phase != TrialPhase::kRunning) return;
  AgentEntry* agent = agent_named(trial.agent);
  if (agent == nullptr) return;
  if (agent->trials.erase(trial.id) > 0) agent->slots.release(trial.gpus);
}

void Core::end_trial(LiveTrial& trial, store::FinishTrial finish, bool retry,
                     std::optional<std::pair<std::string, AckTracker::Ticket>> ticket) {
  LiveSweep& sweep = sweeps_.at(trial.sweep);
  std::optional<store::AgentId> agent_id;
  if (AgentEntry* agent = agent_named(trial.agent)) agent_id = agent->id;
  release_slots(trial);
  if (trial.phase == TrialPhase::kPending) {
    std::erase(sweep.pending, trial.id);
  } else {
    --sweep.running;
  }
  store::TrialStatus status = finish.status;
  std::string what =
      "trial " + std::to_string(trial.id.value) + " " + std::string(store::to_string(status));
  if (finish.exit_code) what += " (exit code " + std::to_string(*finish.exit_code) + ")";
  if (finish.signal) what += " (signal " + std::to_string(*finish.signal) + ")";
  if (!finish.stop_reason.empty()) what += ": " + finish.stop_reason;
  if (ticket) {
    std::string name = ticket->first;
    AckTracker::Ticket t = ticket->second;
    write(std::move(finish),
          std::function<void(Status)>([this, name, t](Status s) { settle(name, t, s); }));
  } else {
    write(std::move(finish));
  }
  event("trial_" + std::string(store::to_string(status)), what, sweep.id, trial.id, agent_id);

  int64_t max_retries = sweep.spec->labsweep.max_retries;
  if (retry && sweep.state == store::SweepState::kRunning && trial.attempts <= max_retries) {
    write(store::RequeueTrial{.trial = trial.id});
    event("trial_requeued",
          "trial " + std::to_string(trial.id.value) + " requeued (attempt " +
              std::to_string(trial.attempts) + " of " + std::to_string(max_retries + 1) + ")",
          sweep.id, trial.id);
    trial.phase = TrialPhase::kPending;
    trial.agent.clear();
    trial.stopping.reset();
    sweep.pending.push_back(trial.id);
  } else {
    // A requeued trial is still the rule's to judge when it runs again; this one is done.
    rule_trial_ended(sweep, trial);
    teach_method(sweep, trial, status);
    trials_.erase(trial.id);  // `trial` dangles from here on
  }
  maybe_complete(sweep);
}

void Core::maybe_complete(LiveSweep& sweep) {
  if (sweep.state != store::SweepState::kRunning || sweep.has_work() || sweep.active() > 0) return;
  set_sweep_state(sweep, store::SweepState::kCompleted,
                  "sweep " + std::to_string(sweep.id.value) + " completed");
}

}  // namespace labsweep::orchestrator
