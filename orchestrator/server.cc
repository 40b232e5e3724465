#include "orchestrator/server.h"

#include <algorithm>
#include <cstdlib>
#include <future>
#include <zmq.hpp>

#include "orchestrator/agent_gate.h"
#include "orchestrator/agent_link.h"
#include "orchestrator/api_token_gate.h"
#include "orchestrator/core.h"
#include "orchestrator/http_api.h"
#include "orchestrator/task_queue.h"
#include "protocol/curve_keys.h"
#include "protocol/endpoint_scope.h"
#include "protocol/key_dir.h"
#include "store/store_reader.h"
#include "store/store_writer.h"

namespace labsweep::orchestrator {
namespace {

std::optional<std::string> process_getenv(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Status loop_gone() {
  return {StatusCode::kFailedPrecondition, "the orchestrator is shutting down"};
}

}  // namespace

Server::Server(ServerOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock), queue_(std::make_unique<TaskQueue>()) {}

Server::~Server() {
  request_stop();
  wait();
}

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, Clock& clock) {
  std::unique_ptr<Server> server(new Server(std::move(options), clock));
  if (Status opened = server->open(); !opened.is_ok()) return opened;
  server->thread_ = std::thread([s = server.get()] { s->loop(); });
  return server;
}

Status Server::open() {
  // Before anything is created or bound: a server that cannot check tokens must not start.
  if (Status tokens = open_tokens(); !tokens.is_ok()) return tokens;
  Result<std::unique_ptr<store::StoreWriter>> writer = store::StoreWriter::open(options_.db_path);
  if (!writer) return writer.status();
  writer_ = std::move(*writer);
  Result<std::unique_ptr<store::StoreReader>> reader = store::StoreReader::open(options_.db_path);
  if (!reader) return reader.status();
  reader_ = std::move(*reader);
  if (Status bound = bind_agents(); !bound.is_ok()) return bound;
  core_ = std::make_unique<Core>(CoreOptions{.heartbeat_interval = options_.heartbeat_interval,
                                             .missed_heartbeats = options_.missed_heartbeats,
                                             .getenv = process_getenv},
                                 *writer_, *reader_, clock_, *link_, *queue_);
  if (Status recovered = core_->recover(); !recovered.is_ok()) return recovered;
  http_ = std::make_unique<HttpApi>(
      options_.db_path, control(),
      HttpApiOptions{.tokens = tokens_.get(), .tls = options_.tls, .clock = &clock_});
  Result<int> port = http_->start(options_.http_host, options_.http_port);
  if (!port) return port.status();
  http_port_ = *port;
  return Status::ok();
}

Status Server::open_tokens() {
  const bool loopback = protocol::is_loopback_host(options_.http_host);
  if (options_.api_auth == ApiAuth::kOffLoopback && loopback) return Status::ok();
  const std::filesystem::path file = protocol::KeyDir{options_.key_dir}.api_tokens();
  Result<std::unique_ptr<ApiTokenGate>> gate = ApiTokenGate::open(file);
  if (!gate) {
    std::string why = loopback ? "the HTTP API requires a token (--require-token)"
                               : "the HTTP API on " + options_.http_host +
                                     " is not on loopback, so it requires a token";
    return {StatusCode::kFailedPrecondition,
            why + ", but it has none to check: " + gate.status().message() +
                " (make one with `labsweep tokens create NAME`)"};
  }
  tokens_ = std::move(*gate);
  return Status::ok();
}

Status Server::bind_agents() {
  context_ = std::make_unique<zmq::context_t>();
  const std::string& endpoint = options_.agent_endpoint;
  std::optional<CurveServer> curve;
  if (options_.agent_auth == AgentAuth::kAlways || !protocol::is_loopback_endpoint(endpoint)) {
    protocol::KeyDir keys{options_.key_dir};
    Result<protocol::CurveKeyPair> pair = protocol::read_key_pair(keys.server_key());
    if (!pair) {
      return {StatusCode::kFailedPrecondition,
              "agents connecting to " + endpoint +
                  " must authenticate with CURVE, but the server's key pair cannot be read: " +
                  pair.status().message() + " (run `labsweep keys init`)"};
    }
    // The gate binds the ZAP handler before the ROUTER binds: ZeroMQ 4.3 admits every CURVE
    // client while no handler is there.
    auto gate = AgentGate::start(*context_, keys.authorized_agents());
    if (!gate) return gate.status();
    gate_ = std::move(*gate);
    curve = CurveServer{.secret_key = pair->secret_key, .gate = gate_.get()};
  }
  Result<std::unique_ptr<AgentLink>> link = AgentLink::bind(*context_, endpoint, curve);
  if (!link) return link.status();
  link_ = std::move(*link);
  return Status::ok();
}

std::string Server::agent_endpoint() const { return link_->endpoint(); }

void Server::loop() {
  // Several ticks per heartbeat interval, so that deadlines are noticed promptly; the socket
  // and the task queue wake the loop at once whatever the tick.
  auto tick = std::clamp(options_.heartbeat_interval / 5, std::chrono::milliseconds(5),
                         std::chrono::milliseconds(200));
  auto deliver = [this](const PeerId& peer, protocol::Message message) {
    core_->on_message(peer, std::move(message));
  };
  while (!stop_requested_.load()) {
    link_->poll(tick, queue_->fd(), deliver);
    queue_->run_all();
    core_->on_tick();
  }
  // After the last dispatch: every id handed out has its AddTrial queued before this.
  core_->release_trial_ids();
}

void Server::request_stop() {
  stop_requested_.store(true);
  if (queue_) queue_->post([] {});  // wakes the loop's poll
}

void Server::wait() {
  if (waited_) return;
  waited_ = true;
  if (thread_.joinable()) thread_.join();
  queue_->close();  // calls still queued are refused: their callers get an error
  if (http_) http_->stop();
  if (writer_) writer_->shutdown();  // commits what the core submitted last
}

template <typename T>
T Server::on_loop(std::function<T(Core&)> fn, T stopped) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  if (!queue_->post([this, promise, fn] { promise->set_value(fn(*core_)); })) return stopped;
  try {
    return future.get();
  } catch (const std::future_error&) {
    return stopped;  // the loop stopped with the call still queued
  }
}

Result<SubmitResult> Server::submit_sweep(SweepSubmission submission) {
  auto promise = std::make_shared<std::promise<Result<SubmitResult>>>();
  std::future<Result<SubmitResult>> future = promise->get_future();
  bool posted = queue_->post([this, promise, submission = std::move(submission)] {
    core_->submit_sweep(submission, [promise](Result<SubmitResult> result) {
      promise->set_value(std::move(result));
    });
  });
  if (!posted) return loop_gone();
  try {
    return future.get();
  } catch (const std::future_error&) {
    return loop_gone();
  }
}

Status Server::stop_sweep(store::SweepId sweep) {
  return on_loop<Status>([sweep](Core& core) { return core.stop_sweep(sweep); }, loop_gone());
}

Status Server::resume_sweep(store::SweepId sweep) {
  return on_loop<Status>([sweep](Core& core) { return core.resume_sweep(sweep); }, loop_gone());
}

Status Server::stop_trial(store::TrialId trial) {
  return on_loop<Status>([trial](Core& core) { return core.stop_trial(trial); }, loop_gone());
}

std::vector<LiveAgent> Server::agents() {
  return on_loop<std::vector<LiveAgent>>([](Core& core) { return core.agents(); }, {});
}

}  // namespace labsweep::orchestrator
