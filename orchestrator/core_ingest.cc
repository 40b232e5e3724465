// Ingest: the agents' data messages (metrics, trial started, trial ended) into the store,
// acknowledged once committed; and the answers to decide queries.

#include <utility>

#include "orchestrator/core.h"

namespace labsweep::orchestrator {
namespace {

uint64_t seq_of(const protocol::Message& message) {
  return std::visit(
      [](const auto& m) -> uint64_t {
        if constexpr (requires { m.seq; }) {
          return m.seq;
        } else {
          return 0;
        }
      },
      message);
}

// An error that will be the same however often the message is applied (an unknown trial, a
// bad metric name): acknowledged, so that the agent does not keep the message forever.
bool refused_for_good(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Core::on_data(AgentEntry& agent, protocol::Message& message) {
  uint64_t seq = seq_of(message);
  std::optional<AckTracker::Ticket> ticket = agent.acks.receive(seq);
  if (!ticket) {
    // A resend: applied already. If it is committed, say so again; if not, its ack follows.
    ++stats_.resends;
    if (agent.acks.acked() >= seq)
      outbox_.send(agent.peer, protocol::Ack{.seq = agent.acks.acked()});
    return;
  }
  if (auto* metrics = std::get_if<protocol::Metrics>(&message)) {
    on_metrics(agent, std::move(*metrics), *ticket);
  } else if (auto* started = std::get_if<protocol::TrialStarted>(&message)) {
    on_trial_started(agent, std::move(*started), *ticket);
  } else if (auto* ended = std::get_if<protocol::TrialEnded>(&message)) {
    on_trial_ended(agent, std::move(*ended), *ticket);
  }
}

void Core::on_metrics(AgentEntry& agent, protocol::Metrics metrics, AckTracker::Ticket ticket) {
  if (metrics.points.empty()) return no_store_op(agent, ticket);
  // Judged on arrival, in the trial's own order, so that a Decide that follows on the same link
  // is answered with this batch's verdict.
  judge(agent, metrics);
  note_objective(metrics);
  store::AddMetricPoints op;
  op.points.reserve(metrics.points.size());
  for (protocol::MetricPoint& point : metrics.points) {
    op.points.push_back(store::MetricSample{.trial = store::TrialId{metrics.trial_id},
                                            .key = std::move(point.name),
                                            .step = point.step,
                                            .value = point.value,
                                            .time_ms = point.time_ms});
  }
  std::string name = agent.name;
  write(std::move(op),
        std::function<void(Result<int64_t>)>([this, name, ticket](Result<int64_t> r) {
          settle(name, ticket, r ? Status::ok() : r.status());
        }));
}

void Core::on_trial_started(AgentEntry& agent, protocol::TrialStarted started,
                            AckTracker::Ticket ticket) {
  auto it = trials_.find(store::TrialId{started.trial_id});
  if (it == trials_.end() || it->second.phase != TrialPhase::kRunning ||
      it->second.agent != agent.name)
    return no_store_op(agent, ticket);  // an old attempt's news
  const LiveTrial& trial = it->second;
  std::string message =
      "trial " + std::to_string(trial.id.value) + " started on agent " + agent.name;
  log(message);
  std::string name = agent.name;
  write(store::AddEvent{.time_ms = started.time_ms > 0 ? started.time_ms : clock_.wall_ms(),
                        .sweep = trial.sweep,
                        .trial = trial.id,
                        .agent = agent.id,
                        .kind = "trial_started",
                        .message = std::move(message)},
        std::function<void(Result<store::EventId>)>([this, name, ticket](Result<store::EventId> r) {
          settle(name, ticket, r ? Status::ok() : r.status());
        }));
}

void Core::on_trial_ended(AgentEntry& agent, protocol::TrialEnded ended,
                          AckTracker::Ticket ticket) {
  auto it = trials_.find(store::TrialId{ended.trial_id});
  // Running here, or ended here while the link was down (TrialPhase::kAwaitingAgent); anything
  // else has already ended or was re-placed: never applied twice.
  if (it == trials_.end() || it->second.phase == TrialPhase::kPending ||
      it->second.agent != agent.name)
    return no_store_op(agent, ticket);
  LiveTrial& trial = it->second;
  store::FinishTrial finish{.trial = trial.id,
                            .stderr_tail = std::move(ended.stderr_tail),
                            .finished_ms = ended.time_ms > 0 ? ended.time_ms : clock_.wall_ms()};
  if (ended.signal == 0) finish.exit_code = ended.exit_code;
  if (ended.signal != 0) finish.signal = ended.signal;
  if (ended.stopped) {
    finish.status = store::TrialStatus::kStopped;
    finish.stop_reason = trial.stopping.value_or("stopped");
  } else if (ended.exit_code == 0 && ended.signal == 0) {
    finish.status = store::TrialStatus::kCompleted;
  } else {
    finish.status = store::TrialStatus::kFailed;
  }
  bool retry = finish.status == store::TrialStatus::kFailed && !trial.stopping;
  end_trial(trial, std::move(finish), retry, std::make_pair(agent.name, ticket));
  dispatch();
}

void Core::no_store_op(AgentEntry& agent, AckTracker::Ticket ticket) {
  // Nothing to write, but the ack must still wait for what came before it.
  if (std::optional<uint64_t> ack = agent.acks.commit(ticket))
    outbox_.send(agent.peer, protocol::Ack{.seq = *ack});
}

void Core::settle(const std::string& name, AckTracker::Ticket ticket, const Status& outcome) {
  AgentEntry* agent = agent_named(name);
  if (agent == nullptr) return;
  if (!outcome.is_ok() && !refused_for_good(outcome)) {
    log("agent " + name + ": message " + std::to_string(ticket.seq) +
            " not committed, not acknowledged: " + outcome.message(),
        LogLevel::kWarning);
    agent->acks.fail(ticket);
    agent->resync = true;
    return;
  }
  if (!outcome.is_ok()) {
    log("agent " + name + ": message " + std::to_string(ticket.seq) +
            " refused: " + outcome.message(),
        LogLevel::kWarning);
  }
  std::optional<uint64_t> ack = agent->acks.commit(ticket);
  if (ack && agent->online()) outbox_.send(agent->peer, protocol::Ack{.seq = *ack});
}

void Core::on_decide(AgentEntry& agent, const protocol::Decide& query) {
  outbox_.send(agent.peer, decide(query));
}

protocol::Decision Core::decide(const protocol::Decide& query) const {
  protocol::Decision decision{.query = query.query,
                              .trial_id = query.trial_id,
                              .step = query.step,
                              .stop = false,
                              .reason = {}};
  auto it = trials_.find(store::TrialId{query.trial_id});
  if (it != trials_.end() && it->second.stopping) {
    decision.stop = true;
    decision.reason = *it->second.stopping;
  }
  return decision;
}

}  // namespace labsweep::orchestrator
