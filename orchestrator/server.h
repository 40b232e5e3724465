#pragma once

// The orchestrator as one object (docs/orchestrator.md): the store's writer and readers, the
// ROUTER socket for agents, the HTTP API, and the loop thread that owns the core. The CLI
// starts it and waits for it; the HTTP API and tests reach it through control().

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/status.h"
#include "orchestrator/http_tls.h"
#include "orchestrator/sweep_control.h"

namespace zmq {
class context_t;
}

namespace labsweep::store {
class StoreReader;
class StoreWriter;
}  // namespace labsweep::store

namespace labsweep::orchestrator {

class AgentGate;
class AgentLink;
class ApiTokenGate;
class Core;
class HttpApi;
class TaskQueue;

// When the agent socket authenticates agents with CURVE (docs/security.md).
enum class AgentAuth {
  kOffLoopback,  // on every endpoint that is not loopback; loopback runs open, as a local tool
  kAlways,       // on loopback too
};

// When the HTTP API asks for a token (docs/http-api.md "Security").
enum class ApiAuth {
  kOffLoopback,  // when bound to an address that is not loopback; loopback runs open
  kAlways,       // on loopback too
};

struct ServerOptions {
  std::filesystem::path db_path;
  std::string agent_endpoint = "tcp://127.0.0.1:5555";  // port 0: any free port
  AgentAuth agent_auth = AgentAuth::kOffLoopback;
  // Holds server.key, authorized_agents and api_tokens (protocol/key_dir.h); needed when CURVE
  // is used or the HTTP API requires tokens.
  std::filesystem::path key_dir{};
  std::chrono::milliseconds heartbeat_interval{1000};
  int missed_heartbeats = 5;  // an agent silent this many intervals is lost
  std::string http_host = "127.0.0.1";
  int http_port = 8080;  // 0: any free port
  ApiAuth api_auth = ApiAuth::kOffLoopback;
  std::optional<TlsFiles> tls{};  // HTTPS with these files
};

class Server final : private SweepControl {
 public:
  // Opens (creating or migrating) the database, recovers what it holds, binds the agent socket
  // and the HTTP API, and starts the loop. `clock` is borrowed and must outlive the server.
  static Result<std::unique_ptr<Server>> start(ServerOptions options, Clock& clock);
  // request_stop() and wait().
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The agent endpoint as bound (tcp port 0 resolved to the actual port).
  std::string agent_endpoint() const;
  int http_port() const { return http_port_; }
  // Whether the HTTP API asks every request for a token.
  bool http_requires_token() const { return tokens_ != nullptr; }
  // Thread-safe; calls are answered by the loop thread. After the loop stopped they fail.
  SweepControl& control() { return *this; }

  // Asks the loop to stop; returns at once. Thread-safe, idempotent (a signal handler's thread
  // may call it).
  void request_stop();
  // Waits for the loop to stop, then stops the HTTP API and commits what is queued for the
  // store. Call from one thread.
  void wait();

 private:
  Server(ServerOptions options, Clock& clock);
  Status open();
  Status bind_agents();
  // Reads the API tokens when the HTTP API requires them; fails when there are none to use.
  Status open_tokens();
  void loop();
  // Runs `fn` on the loop thread and returns what it returns; `stopped` once the loop is gone.
  template <typename T>
  T on_loop(std::function<T(Core&)> fn, T stopped);

  // SweepControl, for the HTTP API.
  Result<SubmitResult> submit_sweep(SweepSubmission submission) override;
  Status stop_sweep(store::SweepId sweep) override;
  Status resume_sweep(store::SweepId sweep) override;
  Status stop_trial(store::TrialId trial) override;
  std::vector<LiveAgent> agents() override;

  const ServerOptions options_;
  Clock& clock_;
  // Declared in the order they must outlive each other: the queue outlives the writer, whose
  // completions post to it; the core is destroyed first.
  std::unique_ptr<TaskQueue> queue_;
  std::unique_ptr<store::StoreWriter> writer_;
  std::unique_ptr<store::StoreReader> reader_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<AgentGate> gate_;  // with CURVE: closes its sockets before the context ends
  std::unique_ptr<AgentLink> link_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<ApiTokenGate> tokens_;  // null when the API runs open; outlives http_
  std::unique_ptr<HttpApi> http_;
  int http_port_ = 0;
  std::atomic<bool> stop_requested_{false};
  std::thread thread_;
  bool waited_ = false;
};

}  // namespace labsweep::orchestrator
