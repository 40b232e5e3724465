#include "cli/server_command.h"

#include <atomic>
#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/shutdown_signal.h"
#include "orchestrator/server.h"

namespace labsweep::cli {
namespace {

int run_server(const orchestrator::ServerOptions& options) {
  // Signals are blocked before the server starts any thread, so that they all reach the watcher.
  std::atomic<orchestrator::Server*> target{nullptr};
  std::atomic<bool> stopping{false};
  ShutdownSignal signals([&](int) {
    stopping = true;
    if (orchestrator::Server* s = target.load()) s->request_stop();
  });
  SystemClock clock;
  auto server = orchestrator::Server::start(options, clock);
  if (!server) return print_failure(server.status(), std::cerr);
  target = server->get();
  if (stopping) (*server)->request_stop();
  std::cerr << "labsweep server: agents connect to " << (*server)->agent_endpoint()
            << ", API and dashboard at http://" << options.http_host << ":"
            << (*server)->http_port() << "/ (database " << options.db_path.string() << ")\n";
  (*server)->wait();
  return kExitOk;
}

}  // namespace

void add_server_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<orchestrator::ServerOptions>();
  options->db_path = "labsweep.db";
  CLI::App* cmd = app.add_subcommand("server", "Run the orchestrator for a lab's agents");
  cmd->add_option("--db", options->db_path, "The SQLite database file (default: labsweep.db)");
  cmd->add_option("--agents", options->agent_endpoint,
                  "Where agents connect (default: tcp://127.0.0.1:5555)");
  cmd->add_option("--http-host", options->http_host, "The HTTP API's address (default: 127.0.0.1)");
  cmd->add_option("--http-port", options->http_port, "The HTTP API's port (default: 8080)")
      ->check(CLI::Range(0, 65535));
  auto heartbeat_ms = std::make_shared<int64_t>(options->heartbeat_interval.count());
  cmd->add_option("--heartbeat-ms", *heartbeat_ms,
                  "Heartbeat interval; an agent silent for 5 of them is lost (default: 1000)")
      ->check(CLI::Range(10, 600'000));
  cmd->callback([options, heartbeat_ms, &action] {
    options->heartbeat_interval = std::chrono::milliseconds(*heartbeat_ms);
    action = [options] { return run_server(*options); };
  });
}

}  // namespace labsweep::cli
