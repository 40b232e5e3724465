// Sweeps: submission, stop and resume, stopping a trial, and recovering what a previous run of
// the orchestrator left in the store.

#include <random>
#include <utility>

#include "orchestrator/core.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::orchestrator {
namespace {

Status failed_precondition(std::string message) {
  return {StatusCode::kFailedPrecondition, std::move(message)};
}

std::string sweep_text(store::SweepId id) { return "sweep " + std::to_string(id.value); }

}  // namespace

void Core::submit_sweep(SweepSubmission in, std::function<void(Result<SubmitResult>)> done) {
  sweeps::ReadResult read = sweeps::read_sweep(in.text);
  auto submission = std::make_shared<Submission>();
  submission->result.diagnostics = read.diagnostics.all();
  submission->done = std::move(done);
  if (!read.spec) return submission->done(std::move(submission->result));
  submission->spec = std::make_unique<sweeps::SweepSpec>(std::move(*read.spec));
  place_program(*submission->spec, in.directory);
  const sweeps::SweepSpec& spec = *submission->spec;
  // An unseeded sweep gets a seed now; it is stored, so that a restart proposes the same trials.
  uint64_t seed = spec.labsweep.seed ? *spec.labsweep.seed
                                     : (uint64_t{std::random_device{}()} << 32) ^
                                           static_cast<uint64_t>(clock_.wall_ms());
  Result<std::unique_ptr<sweeps::SearchMethod>> method = make_method(spec, seed);
  if (!method) return submission->done(method.status());
  submission->method = std::move(*method);
  submission->name = in.name ? *in.name : !spec.name.empty() ? spec.name : in.file_name;
  write(store::CreateSweep{.name = submission->name,
                           .method = std::string(sweeps::search_method_name(spec)),
                           .spec_text = std::move(in.text),
                           .directory = std::move(in.directory),
                           .seed = static_cast<int64_t>(seed),
                           .created_ms = clock_.wall_ms()},
        std::function<void(Result<store::SweepId>)>(
            [this, submission](Result<store::SweepId> id) { on_sweep_created(*submission, id); }));
}

void Core::on_sweep_created(Submission& submission, Result<store::SweepId> created) {
  if (!created) return submission.done(created.status());
  store::SweepId id = *created;
  LiveSweep& sweep = sweeps_[id];
  sweep.id = id;
  sweep.name = submission.name;
  sweep.spec = std::move(submission.spec);
  sweep.method = std::move(submission.method);
  attach_stopping_rule(sweep);
  event("sweep_submitted", sweep_text(id) + " (" + sweep.name + ") submitted", id);
  submission.result.sweep = id;
  submission.done(std::move(submission.result));
  maybe_complete(sweep);  // an empty space has nothing to run
  dispatch();
}

void Core::set_sweep_state(LiveSweep& sweep, store::SweepState state, const std::string& why) {
  sweep.state = state;
  write(store::SetSweepState{.sweep = sweep.id, .state = state, .at_ms = clock_.wall_ms()});
  const char* kind = state == store::SweepState::kCompleted ? "sweep_completed"
                     : state == store::SweepState::kStopped ? "sweep_stopped"
                                                            : "sweep_resumed";
  event(kind, why, sweep.id);
}

Status Core::stop_sweep(store::SweepId id) {
  auto it = sweeps_.find(id);
  if (it == sweeps_.end()) {
    Result<store::SweepOverview> stored = reader_.sweep(id);
    return stored ? Status::ok() : stored.status();  // already over: stopping it is a no-op
  }
  LiveSweep& sweep = it->second;
  if (sweep.state != store::SweepState::kRunning) return Status::ok();
  set_sweep_state(sweep, store::SweepState::kStopped, sweep_text(id) + " stopped");
  std::vector<store::TrialId> pending(sweep.pending.begin(), sweep.pending.end());
  for (store::TrialId trial : pending) {
    end_trial(trials_.at(trial),
              store::FinishTrial{.trial = trial,
                                 .status = store::TrialStatus::kStopped,
                                 .stop_reason = "sweep stopped",
                                 .finished_ms = clock_.wall_ms()},
              false);
  }
  for (auto& [trial_id, trial] : trials_) {
    if (trial.sweep == id) send_stop(trial, "sweep stopped");
  }
  return Status::ok();
}

Status Core::resume_sweep(store::SweepId id) {
  auto it = sweeps_.find(id);
  if (it == sweeps_.end()) {
    Result<store::SweepOverview> stored = reader_.sweep(id);
    if (!stored) return stored.status();
    if (stored->sweep.state == store::SweepState::kCompleted)
      return failed_precondition(sweep_text(id) + " is completed: nothing is left to run");
    if (Status loaded = load_sweep(*stored); !loaded.is_ok()) return loaded;
    it = sweeps_.find(id);
  }
  LiveSweep& sweep = it->second;
  if (sweep.state == store::SweepState::kRunning) return Status::ok();
  if (sweep.state == store::SweepState::kCompleted)
    return failed_precondition(sweep_text(id) + " is completed: nothing is left to run");
  set_sweep_state(sweep, store::SweepState::kRunning, sweep_text(id) + " resumed");
  maybe_complete(sweep);
  dispatch();
  return Status::ok();
}

Status Core::stop_trial(store::TrialId id) {
  auto it = trials_.find(id);
  if (it == trials_.end()) {
    Result<store::TrialView> stored = reader_.trial(id);
    if (!stored) return stored.status();
    return failed_precondition("trial " + std::to_string(id.value) + " has already ended");
  }
  LiveTrial& trial = it->second;
  if (trial.phase == TrialPhase::kPending) {
    end_trial(trial,
              store::FinishTrial{.trial = id,
                                 .status = store::TrialStatus::kStopped,
                                 .stop_reason = "stopped by user",
                                 .finished_ms = clock_.wall_ms()},
              false);
    return Status::ok();
  }
  send_stop(trial, "stopped by user");
  return Status::ok();
}

std::string Core::agent_name_of(std::optional<store::AgentId> id) const {
  if (!id) return {};
  for (const auto& [name, known] : agent_ids_) {
    if (known == *id) return name;
  }
  return {};
}

Status Core::recover() {
  Result<std::vector<store::AgentRecord>> agents = reader_.agents();
  if (!agents) return agents.status();
  for (const store::AgentRecord& agent : *agents) {
    agent_ids_[agent.name] = agent.id;
    // Not connected to this orchestrator (yet): online again with its hello.
    if (agent.state == store::AgentState::kOnline)
      write(store::SetAgentState{.agent = agent.id, .state = store::AgentState::kOffline});
  }
  Result<std::vector<store::SweepOverview>> sweeps = reader_.sweeps();
  if (!sweeps) return sweeps.status();
  for (const store::SweepOverview& overview : *sweeps) {
    if (overview.sweep.state == store::SweepState::kCompleted) continue;
    if (Status loaded = load_sweep(overview); !loaded.is_ok())
      log(loaded.message(), LogLevel::kWarning);
  }
  // The first block of trial ids before the first dispatch, so that trials are numbered in the
  // order they are placed; later ones are asked for ahead of need.
  Result<store::TrialId> first =
      writer_.submit(store::ReserveTrialIds{.count = TrialIdPool::kBlock}).get();
  if (first) trial_ids_.add_block(*first, TrialIdPool::kBlock);
  // A sweep whose last trial ended just before the restart, before it was marked completed.
  for (auto& [id, sweep] : sweeps_) maybe_complete(sweep);
  next_heartbeat_ = clock_.now();
  return Status::ok();
}

Result<std::unique_ptr<sweeps::SearchMethod>> Core::make_method(const sweeps::SweepSpec& spec,
                                                                uint64_t seed) const {
  if (options_.search_methods) return options_.search_methods(spec, seed);
  return sweeps::make_search_method(spec, seed);
}

Status Core::load_sweep(const store::SweepOverview& overview) {
  const store::SweepRecord& record = overview.sweep;
  sweeps::ReadResult read = sweeps::read_sweep(record.spec_text);
  if (!read.spec)
    return invalid_argument(sweep_text(record.id) + ": its stored sweep file no longer reads");
  LiveSweep sweep{.id = record.id, .name = record.name, .state = record.state};
  sweep.spec = std::make_unique<sweeps::SweepSpec>(std::move(*read.spec));
  place_program(*sweep.spec, record.directory);
  auto method = make_method(*sweep.spec, static_cast<uint64_t>(record.seed));
  if (!method) return method.status();
  sweep.method = std::move(*method);
  Result<std::vector<store::TrialView>> trials = reader_.trials(record.id);
  if (!trials) return trials.status();
  Clock::TimePoint deadline = clock_.now() + agent_deadline();
  for (const store::TrialView& view : *trials) {
    const store::TrialRecord& t = view.trial;
    // The method continues after every suggestion a trial holds, in any state (W&B's resume).
    sweep.method->mark_used(static_cast<uint64_t>(t.suggestion_index));
    ++sweep.trials_created;
    if (t.status != store::TrialStatus::kPending && t.status != store::TrialStatus::kRunning)
      continue;
    LiveTrial live{.id = t.id,
                   .sweep = t.sweep,
                   .params_json = t.params_json,
                   .gpus = t.gpus,
                   .attempts = t.attempts};
    if (t.status == store::TrialStatus::kPending) {
      sweep.pending.push_back(t.id);
    } else {
      live.phase = TrialPhase::kAwaitingAgent;
      live.agent = agent_name_of(t.agent);
      live.agent_deadline = deadline;
      ++sweep.running;
    }
    trials_[t.id] = std::move(live);
  }
  attach_stopping_rule(sweep);
  if (Status replayed = replay_reports(sweep, *trials); !replayed.is_ok()) {
    // Judging on part of the reports would stop trials unfairly: none is stopped early.
    log(sweep_text(record.id) +
            ": early stopping is off, its reports did not read: " + replayed.message(),
        LogLevel::kWarning);
    sweep.stopping_rule.reset();
    sweep.watched.clear();
  }
  relearn(sweep, *trials);
  store::SweepId id = record.id;
  sweeps_[id] = std::move(sweep);
  return Status::ok();
}

}  // namespace labsweep::orchestrator
