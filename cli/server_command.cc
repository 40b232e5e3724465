#include "cli/server_command.h"

#include <atomic>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/api_command.h"
#include "cli/key_files.h"
#include "cli/shutdown_signal.h"
#include "cli/yaml_config.h"
#include "orchestrator/server.h"

namespace labsweep::cli {
namespace {

// An IPv6 address goes in brackets in a URL.
std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos && !host.starts_with('[') ? "[" + host + "]" : host;
}

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
  // One write: std::cerr is unbuffered, and whoever waits for this line must never read half.
  std::ostringstream ready;
  ready << "labsweep server: agents connect to " << (*server)->agent_endpoint()
        << ", API and dashboard at " << (options.tls ? "https://" : "http://")
        << url_host(options.http_host) << ":" << (*server)->http_port() << "/ (database "
        << options.db_path.string()
        << ((*server)->http_requires_token() ? "; API tokens required" : "") << ")\n";
  std::cerr << ready.str() << std::flush;
  (*server)->wait();
  return kExitOk;
}

}  // namespace

void add_server_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<orchestrator::ServerOptions>();
  options->db_path = "labsweep.db";
  CLI::App* cmd = app.add_subcommand("server", "Run the orchestrator for a lab's agents");
  add_yaml_config(*cmd, "/etc/labsweep/server.yaml");
  cmd->add_option("--db", options->db_path, "The SQLite database file (default: labsweep.db)");
  cmd->add_option("--agents", options->agent_endpoint,
                  "Where agents connect (default: tcp://127.0.0.1:5555)");
  cmd->add_option("--http-host", options->http_host, "The HTTP API's address (default: 127.0.0.1)");
  cmd->add_option("--http-port", options->http_port, "The HTTP API's port (default: 8080)")
      ->check(CLI::Range(0, 65535));
  auto key_dir = std::make_shared<std::string>();
  cmd->add_option("--key-dir", *key_dir,
                  "Holds server.key, authorized_agents and api_tokens, from `labsweep keys` and "
                  "`labsweep tokens` (default: "
                  "$LABSWEEP_KEY_DIR, /etc/labsweep/keys as root, else ~/.config/labsweep/keys)");
  auto require_token = std::make_shared<bool>(false);
  cmd->add_flag("--require-token", *require_token,
                "Ask every API request for a token on loopback too (off loopback always); the "
                "tokens are in api_tokens in the key directory (`labsweep tokens create NAME`)");
  auto tls = std::make_shared<orchestrator::TlsFiles>();
  CLI::Option* cert =
      cmd->add_option("--tls-cert", tls->certificate,
                      "Serve HTTPS with this PEM certificate chain (with --tls-key)");
  CLI::Option* key = cmd->add_option("--tls-key", tls->private_key,
                                     "The certificate's PEM private key (with --tls-cert)");
  cert->needs(key);
  key->needs(cert);
  auto curve_on_loopback = std::make_shared<bool>(false);
  cmd->add_flag("--curve-on-loopback", *curve_on_loopback,
                "Authenticate agents with CURVE on a loopback endpoint too (off loopback always)");
  auto heartbeat_ms = std::make_shared<int64_t>(options->heartbeat_interval.count());
  cmd->add_option("--heartbeat-ms", *heartbeat_ms,
                  "Heartbeat interval; an agent silent for 5 of them is lost (default: 1000)")
      ->check(CLI::Range(10, 600'000));
  cmd->callback([options, heartbeat_ms, key_dir, curve_on_loopback, require_token, tls, &action] {
    options->heartbeat_interval = std::chrono::milliseconds(*heartbeat_ms);
    if (*require_token) options->api_auth = orchestrator::ApiAuth::kAlways;
    if (!tls->certificate.empty()) options->tls = *tls;
    options->key_dir = key_dir->empty() ? default_key_dir() : std::filesystem::path(*key_dir);
    if (*curve_on_loopback) options->agent_auth = orchestrator::AgentAuth::kAlways;
    action = [options] { return run_server(*options); };
  });
}

}  // namespace labsweep::cli
