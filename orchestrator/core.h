#pragma once

// The orchestrator's deterministic core (docs/orchestrator.md): the agent registry, the
// scheduler, ingest and recovery. It takes decoded messages from agents, calls from the HTTP
// API and the passing of time (an injected Clock), and emits messages to agents (an Outbox)
// and operations for the store's writer. It owns no socket and no thread: everything runs on
// the loop thread that calls it, and store completions come back through the TaskQueue, to run
// there too. Nothing here locks.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/log.h"
#include "base/status.h"
#include "orchestrator/agent_entry.h"
#include "orchestrator/live_sweep.h"
#include "orchestrator/live_trial.h"
#include "orchestrator/outbox.h"
#include "orchestrator/peer_id.h"
#include "orchestrator/sweep_control.h"
#include "orchestrator/task_queue.h"
#include "orchestrator/trial_config.h"
#include "orchestrator/trial_id_pool.h"
#include "protocol/messages.h"
#include "store/store_reader.h"
#include "store/store_writer.h"

namespace labsweep::orchestrator {

struct CoreOptions {
  std::chrono::milliseconds heartbeat_interval{1000};
  // An agent silent for longer than this many heartbeat intervals is lost.
  int missed_heartbeats = 5;
  GetEnv getenv{};  // ${envvar:NAME} in commands; empty: every variable is unset
  // Makes a sweep's early-stopping rules; empty: sweeps::make_stopping_rules.
  std::function<std::unique_ptr<sweeps::StoppingRule>(const sweeps::SweepSpec&)> stopping_rules{};
  // Makes a sweep's search method; empty: sweeps::make_search_method.
  std::function<Result<std::unique_ptr<sweeps::SearchMethod>>(const sweeps::SweepSpec&, uint64_t)>
      search_methods{};
};

// Counters for tests and logs.
struct CoreStats {
  int64_t frames_dropped = 0;   // messages from unknown peers, or of a type agents never send
  int64_t resends = 0;          // data messages taken for resends and not applied again
  int64_t outputs_dropped = 0;  // TrialOutput for a trial not running on its sender
};

class Core {
 public:
  // Every reference is borrowed and must outlive the core; the queue's tasks must be run (or
  // dropped) on the thread that calls the core.
  Core(CoreOptions options, store::StoreWriter& writer, store::StoreReader& reader, Clock& clock,
       Outbox& outbox, TaskQueue& queue);
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  // Loads the state a previous run left in the store (running and stopped sweeps, their
  // pending and running trials, the agents' ids). Call once, before anything else.
  Status recover();
  // Before an orderly stop: the reserved trial ids not handed out go back to the store.
  void release_trial_ids();

  // A decoded message from the agent connected as `peer`.
  void on_message(const PeerId& peer, protocol::Message message);
  // Heartbeats out, deadlines (lost agents, agents not back after a restart, trial timeouts)
  // and scheduling. Call it often (the loop does several times per heartbeat interval).
  void on_tick();

  // SweepControl's calls, on the loop thread. `done` runs once the outcome is known, maybe
  // later, from a store completion.
  void submit_sweep(SweepSubmission submission, std::function<void(Result<SubmitResult>)> done);
  Status stop_sweep(store::SweepId sweep);
  Status resume_sweep(store::SweepId sweep);
  Status stop_trial(store::TrialId trial);
  std::vector<LiveAgent> agents() const;

  const CoreStats& stats() const { return stats_; }
  // The trials held in memory: pending, running or awaiting their agent. Ended trials are
  // dropped and new ones are made only for a free slot, so this follows the lab's slots (and
  // requeued trials), never the size of a sweep.
  size_t live_trials() const { return trials_.size(); }
  std::chrono::milliseconds agent_deadline() const {
    return options_.heartbeat_interval * options_.missed_heartbeats;
  }

 private:
  // Registry (core_registry.cc).
  void on_hello(const PeerId& peer, protocol::Hello hello);
  void on_heartbeat(AgentEntry& agent, protocol::Heartbeat heartbeat);
  void readopt(AgentEntry& agent, const std::vector<int64_t>& running);
  void readopt_one(AgentEntry& agent, LiveTrial& trial);
  void unaccounted(AgentEntry& agent, const std::vector<int64_t>& running);
  void lose_agent(AgentEntry& agent);
  void check_deadlines();
  AgentEntry* agent_of(const PeerId& peer);
  AgentEntry* agent_named(const std::string& name);

  // Scheduling (core_dispatch.cc).
  void dispatch();
  bool try_place(LiveSweep& sweep);
  ResourceNeed need_of(const LiveSweep& sweep, const AgentEntry& agent) const;
  bool place_new(LiveSweep& sweep, AgentEntry& agent, std::vector<int> gpus);
  struct Placement {
    store::SweepId sweep{};
    std::string agent{};
    uint64_t generation = 0;  // the agent's, when its slots were held
    std::vector<int> gpus{};
    std::string params_json{};
    sweeps::Suggestion suggestion{};
  };
  void on_trial_added(const Placement& placement, Result<store::TrialId> added);
  // A new trial with an id from trial_ids_: placed at once, its row written behind the Assign.
  void start_reserved(LiveSweep& sweep, AgentEntry& agent, std::vector<int> gpus, store::TrialId id,
                      const sweeps::Suggestion& suggestion);
  void ask_trial_ids();
  void start_trial(LiveTrial& trial, AgentEntry& agent, std::vector<int> gpus);
  void check_timeouts();

  // Trial endings (core_trials.cc).
  void send_stop(LiveTrial& trial, std::string reason);
  // Ends `trial`'s attempt with `finish` (FinishTrial) and an event; requeues it when
  // `retry` and attempts remain. `ticket` is acknowledged once the FinishTrial commits.
  void end_trial(LiveTrial& trial, store::FinishTrial finish, bool retry,
                 std::optional<std::pair<std::string, AckTracker::Ticket>> ticket = std::nullopt);
  void release_slots(LiveTrial& trial);
  void maybe_complete(LiveSweep& sweep);

  // Ingest (core_ingest.cc).
  void on_data(AgentEntry& agent, protocol::Message& message);
  void on_metrics(AgentEntry& agent, protocol::Metrics metrics, AckTracker::Ticket ticket);
  void on_trial_started(AgentEntry& agent, protocol::TrialStarted started,
                        AckTracker::Ticket ticket);
  void on_trial_ended(AgentEntry& agent, protocol::TrialEnded ended, AckTracker::Ticket ticket);
  void on_decide(AgentEntry& agent, const protocol::Decide& decide);
  // Trial output (core_output.cc): not a data message, never acknowledged.
  void on_trial_output(const AgentEntry& agent, protocol::TrialOutput output);
  // The one place where a trial's stop decision is answered: from the verdict of the sweep's
  // stopping rule (or a stop request) taken when the trial's reports arrived.
  protocol::Decision decide(const protocol::Decide& query) const;
  // Completes `ticket` of agent `name` after its store operation: acks what is committed.
  void settle(const std::string& name, AckTracker::Ticket ticket, const Status& outcome);
  void no_store_op(AgentEntry& agent, AckTracker::Ticket ticket);

  // Early stopping (core_stopping.cc).
  std::unique_ptr<sweeps::StoppingRule> make_stopping_rule(const sweeps::SweepSpec& spec) const;
  void attach_stopping_rule(LiveSweep& sweep) const;
  void judge(const AgentEntry& agent, const protocol::Metrics& metrics);
  // Feeds one report to the sweep's rule unless its step was fed already; the verdict, if fed.
  std::optional<sweeps::StopVerdict> feed(LiveSweep& sweep, LiveTrial& trial,
                                          const std::string& metric, int64_t step, double value);
  void stop_early(LiveTrial& trial, std::string reason);
  void rule_trial_ended(LiveSweep& sweep, const LiveTrial& trial);
  Status replay_reports(LiveSweep& sweep, const std::vector<store::TrialView>& trials);

  // What search methods learn from results, and the sweep metric as trials report it
  // (core_learning.cc).
  void note_objective(const protocol::Metrics& metrics);
  // Tells the sweep's method what became of a trial that ended for good.
  void teach_method(LiveSweep& sweep, const LiveTrial& trial, store::TrialStatus status);
  void tell_if_metric_missing(LiveSweep& sweep, const LiveTrial& trial, store::TrialStatus status);
  // After a restart: the method hears of every stored trial again, ended ones in the order they
  // ended; live trials get back their suggestion and what they reported.
  void relearn(LiveSweep& sweep, const std::vector<store::TrialView>& trials);

  // Sweeps (core_sweeps.cc).
  Result<std::unique_ptr<sweeps::SearchMethod>> make_method(const sweeps::SweepSpec& spec,
                                                            uint64_t seed) const;
  struct Submission {
    std::unique_ptr<sweeps::SweepSpec> spec{};
    std::unique_ptr<sweeps::SearchMethod> method{};
    std::string name{};
    SubmitResult result{};
    std::function<void(Result<SubmitResult>)> done{};
  };
  void on_sweep_created(Submission& submission, Result<store::SweepId> created);
  Status load_sweep(const store::SweepOverview& overview);
  std::string agent_name_of(std::optional<store::AgentId> id) const;
  void set_sweep_state(LiveSweep& sweep, store::SweepState state, const std::string& why);

  // Store plumbing: `then` runs on the loop thread once `op` is committed or failed.
  template <typename Op>
  void write(Op op, std::function<void(store::Outcome<Op>)> then = {});
  void event(std::string kind, std::string message, std::optional<store::SweepId> sweep = {},
             std::optional<store::TrialId> trial = {}, std::optional<store::AgentId> agent = {});
  void log(const std::string& line, LogLevel level = LogLevel::kInfo) const;
  static void log_write_failure(const Status& status);
  template <typename T>
  static void log_write_failure(const Result<T>& result) {
    log_write_failure(result.status());
  }

  const CoreOptions options_;
  store::StoreWriter& writer_;
  store::StoreReader& reader_;
  Clock& clock_;
  Outbox& outbox_;
  TaskQueue& queue_;

  std::map<std::string, AgentEntry> agents_{};         // by name
  std::unordered_map<PeerId, std::string> peers_{};    // connection -> agent name
  std::map<std::string, store::AgentId> agent_ids_{};  // every agent the store knows, by name
  std::map<store::SweepId, LiveSweep> sweeps_{};       // by id, i.e. by age
  std::unordered_map<store::TrialId, LiveTrial> trials_{};
  TrialIdPool trial_ids_{};
  Clock::TimePoint next_heartbeat_{};
  CoreStats stats_;
};

template <typename Op>
void Core::write(Op op, std::function<void(store::Outcome<Op>)> then) {
  if (!then) {
    // Nobody waits for it; a failure is still worth a line.
    writer_.submit<Op>(std::move(op), [](store::Outcome<Op> outcome) {
      if (!outcome.is_ok()) log_write_failure(outcome);
    });
    return;
  }
  TaskQueue& queue = queue_;
  writer_.submit<Op>(std::move(op), [&queue, then = std::move(then)](store::Outcome<Op> outcome) {
    queue.post([then, outcome = std::move(outcome)] { then(outcome); });
  });
}

}  // namespace labsweep::orchestrator
