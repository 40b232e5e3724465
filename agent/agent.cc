#include "agent/agent.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <thread>
#include <unordered_set>

#include "agent/process_tree.h"
#include "agent/stderr_tail.h"
#include "base/log.h"
#include "protocol/endpoint_scope.h"

namespace labsweep::agent {
namespace {

// Logs are for people: one line each, to stderr, few of them (base/log.h).
__attribute__((format(printf, 2, 0))) void vlog(LogLevel level, const char* format,
                                                std::va_list args) {
  if (!log_enabled(level)) return;
  char line[1024];
  std::vsnprintf(line, sizeof line, format, args);
  log_line(level, "agent", line);
}

__attribute__((format(printf, 1, 2))) void log(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  vlog(LogLevel::kInfo, format, args);
  va_end(args);
}

__attribute__((format(printf, 1, 2))) void warn(const char* format, ...) {
  std::va_list args;
  va_start(args, format);
  vlog(LogLevel::kWarning, format, args);
  va_end(args);
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

Status check(const AgentOptions& o) {
  if (o.server_endpoint.empty()) return invalid_argument("the orchestrator's endpoint is empty");
  if (o.work_dir.empty()) return invalid_argument("the work directory is empty");
  if (!o.curve && protocol::is_network_endpoint(o.server_endpoint)) {
    return {StatusCode::kFailedPrecondition,
            o.server_endpoint +
                " is not loopback: the agent connects to it only with CURVE, so it needs the "
                "server's public key (--server-key, or server.pub in the key directory)"};
  }
  if (o.link.missed_heartbeats < 1) return invalid_argument("missed_heartbeats must be >= 1");
  if (o.metric_batch_points < 1) return invalid_argument("metric_batch_points must be >= 1");
  return Status::ok();
}

SlotOptions slot_options(const AgentOptions& o, bool has_gpus) {
  SlotOptions s;
  s.gpus = o.gpus;
  s.slots_per_gpu = o.slots_per_gpu;
  s.others_memory_threshold_mb = o.others_memory_threshold_mb;
  int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  s.cpu_slots = o.cpu_slots.value_or(has_gpus ? 0 : cores);
  return s;
}

// One agent per state directory: two would end each other's trials as leftovers.
Result<int> lock_state_dir(const std::filesystem::path& dir) {
  std::filesystem::path path = dir / "agent.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status(StatusCode::kFailedPrecondition,
                  "another agent is using the state directory " + dir.string());
  }
  return fd;
}

// The processes on the GPUs that are the agent's trials' (its descendants): only those are
// looked up, not the whole process table, once per heartbeat.
std::unordered_set<int> own_gpu_processes(const std::vector<GpuSample>& samples) {
  std::vector<int> pids;
  for (const GpuSample& gpu : samples) {
    for (const GpuProcess& p : gpu.processes) pids.push_back(p.pid);
  }
  if (pids.empty()) return {};
  return descendants_among(pids, ::getpid());
}

}  // namespace

Result<std::unique_ptr<Agent>> Agent::create(AgentOptions options, const Clock& clock,
                                             ProcessLauncher& launcher, GpuInventory& inventory) {
  if (Status s = check(options); !s.is_ok()) return s;
  if (options.name.empty()) options.name = host_name();
  if (options.state_dir.empty()) options.state_dir = options.work_dir / ".labsweep-agent";
  std::error_code ec;
  std::filesystem::create_directories(options.state_dir, ec);
  if (ec) return io_error("cannot create " + options.state_dir.string() + ": " + ec.message());
  Result<std::vector<GpuSample>> samples = inventory.sample();
  if (!samples) warn("no GPUs: %s", samples.status().message().c_str());
  SlotOptions slots = slot_options(options, samples && !samples->empty());
  if (Status s = validate(slots); !s.is_ok()) return s;
  Result<int> lock = lock_state_dir(options.state_dir);
  if (!lock) return lock.status();
  Result<std::unique_ptr<Outbox>> outbox =
      Outbox::open(options.state_dir, options.outbox_memory_bytes);
  if (!outbox) {
    ::close(lock.value());
    return outbox.status();
  }
  std::unique_ptr<Agent> agent(new Agent(std::move(options), clock, launcher, inventory,
                                         std::move(slots), std::move(outbox).value()));
  agent->lock_fd_ = lock.value();
  agent->end_leftovers();  // first: nothing may empty running.json before it is read
  if (Status s = agent->prepare(); !s.is_ok()) return s;
  if (samples) agent->slots_.update(samples.value(), own_gpu_processes(samples.value()));
  // A malformed endpoint fails here, once, rather than at every reconnection later.
  if (Status s = agent->connect(); !s.is_ok()) return s;
  return agent;
}

Agent::Agent(AgentOptions options, const Clock& clock, ProcessLauncher& launcher,
             GpuInventory& inventory, SlotOptions slot_options, std::unique_ptr<Outbox> outbox)
    : options_(std::move(options)),
      clock_(clock),
      launcher_(launcher),
      inventory_(inventory),
      host_(host_name()),
      link_(context_, options_.server_endpoint, clock, options_.link, options_.curve),
      outbox_(std::move(outbox)),
      batcher_(clock, options_.metric_batch_points, options_.metric_batch_delay),
      output_(clock, options_.output),
      slots_(std::move(slot_options)),
      running_(options_.state_dir / "running.json") {}

Status Agent::prepare() {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return io_error(std::string("eventfd: ") + std::strerror(errno));
  // Sockets go into the trial directory when the path fits, else here: short, private.
  std::string runtime = (std::filesystem::temp_directory_path() / "labsweep-XXXXXX").string();
  if (!::mkdtemp(runtime.data())) return io_error("cannot create " + runtime);
  setup_.runtime_dir = runtime;
  setup_.work_dir = options_.work_dir;
  setup_.base_env = process_environment();
  if (options_.trial_user) {
    if (Status s = run_trials_as(*options_.trial_user); !s.is_ok()) return s;
  }
  if (options_.cgroups == AgentOptions::Cgroups::kAuto)
    setup_.cgroup_parent = writable_cgroup_parent();
  setup_.cgroup_prefix = "labsweep-" + std::to_string(::getpid()) + "-";
  setup_.shim = options_.trial_shim ? options_.trial_shim : find_trial_shim();
  if (setup_.user && !setup_.shim) {
    return Status(StatusCode::kFailedPrecondition,
                  "trials are to run as " + setup_.user->name +
                      ", which needs labsweep-trial-shim, and it is not installed beside labsweep");
  }
  log("%s; trials end by %s%s", inventory_.description().c_str(),
      setup_.cgroup_parent ? "cgroup and marker" : "marker (no writable cgroup v2)",
      setup_.shim ? "" : "; labsweep-trial-shim not found, trials outlive a killed agent");
  return Status::ok();
}

// Trials get the user's HOME, USER and LOGNAME, and may reach their sockets in the runtime
// directory (searchable, not listable or writable; each socket is given to the user).
Status Agent::run_trials_as(const TrialUser& user) {
  if (::chmod(setup_.runtime_dir.c_str(), 0711) != 0)
    return io_error("cannot open " + setup_.runtime_dir.string() +
                    " to trials: " + std::strerror(errno));
  std::erase_if(setup_.base_env, [](const auto& entry) {
    return entry.first == "HOME" || entry.first == "USER" || entry.first == "LOGNAME";
  });
  setup_.base_env.insert(
      setup_.base_env.end(),
      {{"HOME", user.home.string()}, {"USER", user.name}, {"LOGNAME", user.name}});
  setup_.user = user;
  return Status::ok();
}

// A previous run of the agent died with trials running (a crash, SIGKILL): nobody watches them
// any more, so they are ended, and reported ended by a signal, so that the orchestrator
// requeues them instead of waiting for them.
void Agent::end_leftovers() {
  Result<std::vector<RunningTrial>> leftovers = running_.load();
  if (!leftovers) warn("%s; ignoring it", leftovers.status().message().c_str());
  for (const RunningTrial& t : leftovers ? leftovers.value() : std::vector<RunningTrial>{}) {
    warn("ending trial %lld, left running by a previous run of the agent",
         static_cast<long long>(t.trial_id));
    end_leftover(t);
    std::string tail = stderr_tail(t.dir / "stderr.log");
    if (!tail.empty() && tail.back() != '\n') tail += '\n';
    tail += "labsweep agent: the agent restarted; the trial's processes were killed\n";
    outbox_->add(protocol::TrialEnded{0, t.trial_id, 0, SIGKILL, false, tail, clock_.wall_ms()});
    ++counters_.leftovers_ended;
  }
  if (Status s = running_.clear(); !s.is_ok()) warn("%s", s.message().c_str());
}

Agent::~Agent() {
  trials_.clear();  // each kills its processes and cgroup
  if (Status s = running_.clear(); !s.is_ok()) warn("%s", s.message().c_str());
  std::error_code ignored;
  if (!setup_.runtime_dir.empty()) std::filesystem::remove_all(setup_.runtime_dir, ignored);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void Agent::request_stop() {
  stop_requested_.store(true);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

void Agent::run() {
  while (!stop_requested_.load()) run_once(std::chrono::seconds(1));
}

void Agent::run_once(std::chrono::milliseconds max_wait) {
  wait(max_wait);
  handle_server();
  keep_link();  // again below: a heartbeat due is never held up by a long turn's trial work
  service_trials();
  reap_trials();
  start_waiting();
  expire_queries();
  for (protocol::Metrics& m : batcher_.take_due()) outbox_->add(std::move(m));
  // Only while welcomed: the first look after a reconnection skips to each file's last window.
  if (link_.welcomed()) send_output(output_.take_due());
  keep_link();
  send_outbox();
}

std::vector<int64_t> Agent::running_trials() const {
  std::vector<int64_t> ids;
  for (const auto& [id, trial] : trials_) ids.push_back(id);
  return ids;
}

std::optional<std::filesystem::path> Agent::trial_dir(int64_t trial_id) const {
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) return std::nullopt;
  return it->second->dir();
}

// ---- waiting -------------------------------------------------------------------------------

std::optional<Clock::TimePoint> Agent::next_deadline() const {
  std::optional<Clock::TimePoint> next = link_.next_deadline();
  auto consider = [&next](std::optional<Clock::TimePoint> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(batcher_.next_deadline());
  if (link_.welcomed()) consider(output_.next_deadline());
  for (const auto& [id, trial] : trials_) consider(trial->next_deadline());
  for (const auto& [number, query] : queries_) consider(query.deadline);
  return next;
}

void Agent::wait(std::chrono::milliseconds max_wait) {
  std::chrono::milliseconds timeout = max_wait;
  std::vector<zmq::pollitem_t> items;
  if (void* socket = link_.handle()) items.push_back({socket, 0, ZMQ_POLLIN, 0});
  items.push_back({nullptr, wake_fd_, ZMQ_POLLIN, 0});
  bool exits_watched = true;
  for (const auto& [id, trial] : trials_) {
    items.push_back({nullptr, trial->socket().fd(), ZMQ_POLLIN, 0});
    // A trial's exit wakes the loop through its pidfd at once; without one (a kernel before
    // 5.3, a test's launcher) it is looked for by polling every child_poll_interval.
    if (int fd = trial->exit_fd(); fd >= 0) {
      items.push_back({nullptr, fd, ZMQ_POLLIN, 0});
    } else {
      exits_watched = false;
    }
  }
  if (!exits_watched) timeout = std::min(timeout, options_.child_poll_interval);
  if (std::optional<Clock::TimePoint> next = next_deadline()) {
    auto until = std::chrono::ceil<std::chrono::milliseconds>(*next - clock_.now());
    timeout = std::clamp(until, std::chrono::milliseconds(0), timeout);
  }
  try {
    zmq::poll(items, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) warn("poll: %s", e.what());
  }
  uint64_t wakeups = 0;
  [[maybe_unused]] ssize_t n = ::read(wake_fd_, &wakeups, sizeof wakeups);
}

// ---- the orchestrator ----------------------------------------------------------------------

Status Agent::connect() {
  // The new hello lists only running trials: an Assign still waiting would be the orchestrator's
  // to wait for in vain, so it ends now, unstarted, and is placed again.
  refuse_waiting("the agent reconnected before its slots were free");
  sample_gpus();
  protocol::Hello hello{options_.name,
                        host_,
                        slots_.states(),
                        slots_.options().cpu_slots,
                        slots_.options().slots_per_gpu,
                        running_trials()};
  return link_.connect(hello);
}

void Agent::keep_link() {
  if (link_.lost()) {
    if (link_.welcomed()) warn("the orchestrator is silent; connecting again");
    if (Status s = connect(); !s.is_ok()) warn("%s", s.message().c_str());
    return;
  }
  if (link_.heartbeat_due()) {
    sample_gpus();
    link_.send(protocol::Heartbeat{slots_.states()});
    link_.heartbeat_sent();
  }
}

void Agent::sample_gpus() {
  Result<std::vector<GpuSample>> samples = inventory_.sample();
  if (!samples) return;  // the last states stand; the failure was logged at start
  slots_.update(samples.value(), own_gpu_processes(samples.value()));
}

void Agent::handle_server() {
  while (std::optional<protocol::Message> message = link_.receive()) {
    if (std::holds_alternative<protocol::Welcome>(*message)) {
      log("connected to %s", options_.server_endpoint.c_str());
      outbox_->rewind();  // a new connection: everything unacknowledged goes again
      output_.resend_windows();
    } else if (const auto* assign = std::get_if<protocol::Assign>(&*message)) {
      on_assign(*assign);
    } else if (const auto* stop = std::get_if<protocol::Stop>(&*message)) {
      on_stop(*stop);
    } else if (const auto* ack = std::get_if<protocol::Ack>(&*message)) {
      outbox_->ack(ack->seq);
    } else if (const auto* decision = std::get_if<protocol::Decision>(&*message)) {
      on_decision(*decision);
    } else if (!std::holds_alternative<protocol::Heartbeat>(*message)) {
      warn("ignored a '%s' from the orchestrator", protocol::type_name(*message));
    }
  }
}

void Agent::on_assign(const protocol::Assign& assign) {
  if (trials_.count(assign.trial_id)) return;  // a resent Assign: it is running already
  auto same = [&](const protocol::Assign& a) { return a.trial_id == assign.trial_id; };
  if (std::any_of(waiting_.begin(), waiting_.end(), same)) return;  // resent while it waits
  if (Status s = slots_.reserve(assign.trial_id, assign.gpus); !s.is_ok()) {
    if (held_by_stopping_trial(assign.gpus)) {
      waiting_.push_back(assign);
      ++counters_.assigns_waited;
      return;
    }
    refuse(assign.trial_id, s.message());
    return;
  }
  Result<std::unique_ptr<TrialRunner>> trial =
      TrialRunner::start(assign, setup_, launcher_, clock_);
  if (!trial) {
    slots_.release(assign.trial_id);
    refuse(assign.trial_id, trial.status().message());
    return;
  }
  if (Status s = running_.add(trial.value()->record()); !s.is_ok()) warn("%s", s.message().c_str());
  outbox_->add(protocol::TrialStarted{0, assign.trial_id, clock_.wall_ms()});
  output_.add(assign.trial_id, trial.value()->dir());
  trials_[assign.trial_id] = std::move(trial).value();
  ++counters_.trials_started;
}

// Whether a trial being stopped holds a slot on one of `gpus` (empty: a CPU slot), so that the
// slot will be free once it has ended.
bool Agent::held_by_stopping_trial(const std::vector<int>& gpus) const {
  for (const auto& [id, trial] : trials_) {
    if (!trial->stopping()) continue;
    const std::vector<int>& held = trial->assign().gpus;
    if (gpus.empty() && held.empty()) return true;
    for (int gpu : gpus) {
      if (std::find(held.begin(), held.end(), gpu) != held.end()) return true;
    }
  }
  return false;
}

// Tries the waiting Assigns again, in the order they came; one whose slots are still held by a
// stopping trial waits on, one that cannot start for another reason is refused.
void Agent::start_waiting() {
  if (waiting_.empty()) return;
  std::vector<protocol::Assign> waiting = std::move(waiting_);
  waiting_.clear();
  for (const protocol::Assign& assign : waiting) {
    if (held_by_stopping_trial(assign.gpus)) {
      waiting_.push_back(assign);
    } else {
      on_assign(assign);
    }
  }
}

void Agent::refuse_waiting(const std::string& why) {
  std::vector<protocol::Assign> waiting = std::move(waiting_);
  waiting_.clear();
  for (const protocol::Assign& assign : waiting) refuse(assign.trial_id, why);
}

// A trial that cannot start ends at once; exit code -1 says it never ran (docs/agent.md).
void Agent::refuse(int64_t trial_id, const std::string& why) {
  warn("trial %lld not started: %s", static_cast<long long>(trial_id), why.c_str());
  std::string tail = "labsweep agent: trial " + std::to_string(trial_id) + " not started: " + why;
  outbox_->add(protocol::TrialEnded{0, trial_id, -1, 0, false, tail + "\n", clock_.wall_ms()});
  ++counters_.trials_refused;
}

void Agent::on_stop(const protocol::Stop& stop) {
  auto waiting = std::find_if(waiting_.begin(), waiting_.end(), [&](const protocol::Assign& a) {
    return a.trial_id == stop.trial_id;
  });
  if (waiting != waiting_.end()) {  // stopped before it could start: it ends, never having run
    waiting_.erase(waiting);
    std::string tail = "labsweep agent: trial " + std::to_string(stop.trial_id) +
                       " stopped before it started (" + stop.reason + ")\n";
    outbox_->add(protocol::TrialEnded{0, stop.trial_id, -1, 0, true, tail, clock_.wall_ms()});
    ++counters_.stops;
    return;
  }
  auto it = trials_.find(stop.trial_id);
  if (it == trials_.end()) return;  // ended already; its TrialEnded is on its way
  it->second->stop(stop.reason);
  ++counters_.stops;
  answer_all(*it->second, {true, stop.reason});
}

void Agent::on_decision(const protocol::Decision& decision) {
  auto it = queries_.find(decision.query);
  if (it == queries_.end()) return;  // answered "continue" on a timeout already
  auto trial = trials_.find(it->second.trial_id);
  if (trial != trials_.end()) {
    trial->second->socket().answer(it->second.id, {decision.stop, decision.reason});
  }
  queries_.erase(it);
}

void Agent::send_outbox() {
  if (!link_.welcomed()) return;  // resent after the welcome, in order
  outbox_->send_pending([this](std::string_view frame) { return link_.send_frame(frame); });
}

// ---- trials --------------------------------------------------------------------------------

void Agent::service_trials() {
  for (auto& [id, trial] : trials_) {
    take_events(*trial, trial->socket().service());
    if (StdoutMetricParser* parser = trial->stdout_parser()) {
      Result<std::vector<TrialReport>> reports = parser->poll();
      if (!reports) continue;
      for (const TrialReport& r : reports.value()) add_report(id, r);
    }
  }
}

void Agent::take_events(TrialRunner& trial, std::vector<TrialSocketEvent> events) {
  for (TrialSocketEvent& event : events) {
    if (const auto* report = std::get_if<ReceivedReport>(&event)) {
      add_report(trial.trial_id(), report->report);
    } else if (const auto* query = std::get_if<ReceivedQuery>(&event)) {
      on_query(trial, *query);
    } else if (const auto* rejected = std::get_if<RejectedLine>(&event)) {
      if (counters_.rejected_lines++ < 10) {
        warn("trial %lld: %s", static_cast<long long>(trial.trial_id()), rejected->error.c_str());
      }
    }
  }
}

void Agent::add_report(int64_t trial_id, const TrialReport& report) {
  for (const Metric& m : report.metrics) {
    batcher_.add(trial_id, {report.step, m.name, m.value, report.received_ms});
  }
}

// The reports sent before the query go out before the Decide, so they are decided on.
void Agent::on_query(TrialRunner& trial, const ReceivedQuery& query) {
  if (trial.stopping()) {
    trial.socket().answer(query.id, {true, ""});
    return;
  }
  flush_metrics(trial.trial_id());
  send_outbox();
  uint64_t number = next_query_++;
  if (!link_.welcomed() || !link_.send(protocol::Decide{number, trial.trial_id(), query.step})) {
    trial.socket().answer(query.id, {false, ""});  // never leave a trial waiting on no one
    return;
  }
  queries_[number] = {trial.trial_id(), query.id, clock_.now() + options_.decision_timeout};
}

void Agent::answer_all(TrialRunner& trial, const StopDecision& decision) {
  for (const QueryId& id : trial.socket().unanswered_queries()) trial.socket().answer(id, decision);
  std::erase_if(queries_, [&](const auto& q) { return q.second.trial_id == trial.trial_id(); });
}

void Agent::expire_queries() {
  Clock::TimePoint now = clock_.now();
  for (auto it = queries_.begin(); it != queries_.end();) {
    if (now < it->second.deadline) {
      ++it;
      continue;
    }
    auto trial = trials_.find(it->second.trial_id);
    if (trial != trials_.end()) trial->second->socket().answer(it->second.id, {false, ""});
    ++counters_.decisions_timed_out;
    it = queries_.erase(it);
  }
}

void Agent::flush_metrics(int64_t trial_id) {
  if (std::optional<protocol::Metrics> m = batcher_.take(trial_id)) outbox_->add(std::move(*m));
}

// Best effort: a chunk the link cannot take now is dropped, and the next one's offset shows the
// gap.
void Agent::send_output(std::vector<protocol::TrialOutput> chunks) {
  if (!link_.welcomed()) return;
  for (protocol::TrialOutput& chunk : chunks) link_.send(std::move(chunk));
}

void Agent::reap_trials() {
  for (auto it = trials_.begin(); it != trials_.end();) {
    std::optional<ExitStatus> status = it->second->poll();
    if (!status) {
      ++it;
      continue;
    }
    finish_trial(*it->second, *status);
    it = trials_.erase(it);
  }
}

void Agent::finish_trial(TrialRunner& trial, ExitStatus status) {
  int64_t id = trial.trial_id();
  take_events(trial, trial.socket().drain());  // the last lines its processes wrote
  if (StdoutMetricParser* parser = trial.stdout_parser()) {
    Result<std::vector<TrialReport>> reports = parser->poll(StdoutMetricParser::AtEnd::kYes);
    if (reports) {
      for (const TrialReport& r : reports.value()) add_report(id, r);
    }
  }
  answer_all(trial, {trial.stopping(), ""});
  flush_metrics(id);
  send_output(output_.finish(id));  // ahead of the TrialEnded, which the outbox sends later
  outbox_->add(protocol::TrialEnded{0, id, status.exit_code, status.signal, trial.stopping(),
                                    trial.stderr_tail(), clock_.wall_ms()});
  slots_.release(id);
  if (Status s = running_.remove(id); !s.is_ok()) warn("%s", s.message().c_str());
  ++counters_.trials_ended;
  log("trial %lld ended (exit code %d, signal %d)", static_cast<long long>(id), status.exit_code,
      status.signal);
}

}  // namespace labsweep::agent
