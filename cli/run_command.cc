#include "cli/run_command.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "base/log.h"
#include "cli/agent_command.h"
#include "cli/api_command.h"
#include "cli/progress_line.h"
#include "cli/show_command.h"
#include "cli/shutdown_signal.h"
#include "orchestrator/server.h"
#include "sweeps/diagnostic.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::cli {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kPollInterval{250};
constexpr int kExitInterrupted = 130;

struct RunOptions {
  std::string file;
  std::string name;
  std::string db = "labsweep.db";
  int http_port = 8080;
  size_t best = 10;
  bool quiet = false;
  bool verbose = false;
  MachineFlags machine;
};

// Ctrl-C as the run loop sees it: counted, and waking the loop at once.
class Interrupts {
 public:
  void add() {
    std::lock_guard lock(mu_);
    ++count_;
    wake_.notify_all();
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  // Waits up to `timeout` for an interrupt beyond the `seen` already handled.
  void wait(milliseconds timeout, int seen) {
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, timeout, [&] { return count_ > seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  int count_ = 0;
};

bool print_local_diagnostics(const RunOptions& o, std::string& text) {
  sweeps::ReadResult local = sweeps::read_sweep_file(o.file, &text);
  bool terminal = isatty(STDERR_FILENO) != 0;
  for (const auto& d : local.diagnostics.all()) {
    std::cerr << (terminal ? sweeps::format_diagnostic_with_source(o.file, text, d)
                           : sweeps::format_diagnostic(o.file, d))
              << '\n';
  }
  return local.spec.has_value();
}

// The server on the chosen HTTP port, or on any free one when that one is taken.
Result<std::unique_ptr<orchestrator::Server>> start_server(const RunOptions& o, Clock& clock) {
  orchestrator::ServerOptions options;
  options.db_path = o.db;
  options.agent_endpoint = "tcp://127.0.0.1:0";
  options.http_port = o.http_port;
  auto server = orchestrator::Server::start(options, clock);
  if (server || o.http_port == 0) return server;
  options.http_port = 0;
  auto retried = orchestrator::Server::start(options, clock);
  if (!retried) return server.status();
  std::cerr << "labsweep run: port " << o.http_port << " is taken; using "
            << (*retried)->http_port() << "\n";
  return retried;
}

// Polls the sweep until it ends, keeping the progress line current; the first interrupt stops
// the sweep, the second returns at once. Yields the sweep's last state, or nullopt when quit.
std::optional<nlohmann::json> watch(const RunOptions& o, ApiClient& api, int64_t sweep,
                                    orchestrator::SweepControl& control, Interrupts& interrupts) {
  auto started = std::chrono::steady_clock::now();
  bool terminal = isatty(STDOUT_FILENO) != 0;
  std::string last_line;
  int handled = 0;
  for (;;) {
    interrupts.wait(kPollInterval, handled);
    int seen = interrupts.count();
    if (seen >= 2) return std::nullopt;
    if (seen == 1 && handled == 0) {
      handled = 1;
      std::cerr << "\nlabsweep run: stopping the sweep (Ctrl-C again to quit at once)\n";
      if (Status s = control.stop_sweep(store::SweepId{sweep}); !s.is_ok()) return std::nullopt;
    }
    Result<nlohmann::json> state = api.get("/sweeps/" + std::to_string(sweep));
    if (!state) continue;  // committed state shows on a later poll
    int64_t elapsed =
        std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started)
            .count();
    std::string line = progress_line(*state, elapsed);
    if (!o.quiet && terminal) {
      std::cout << "\r\033[K" << line << std::flush;
    } else if (!o.quiet && line.substr(line.find(']')) != last_line) {
      std::cout << line << "\n" << std::flush;
    }
    last_line = line.substr(line.find(']'));
    if ((*state)["state"] != "running") {
      if (terminal && !o.quiet) std::cout << "\n";
      return *state;
    }
  }
}

int report(const RunOptions& o, ApiClient& api, const nlohmann::json& sweep) {
  // Ranked by the server, so that the table costs the same for ten trials or a million.
  Result<nlohmann::json> best = fetch_best_trials(api, sweep["id"].get<int64_t>(), o.best);
  if (!best) return print_failure(best.status(), std::cerr);
  Result<std::map<int64_t, std::string>> agents = fetch_agent_names(api);
  if (!agents) return print_failure(agents.status(), std::cerr);
  std::cout << "\nsweep " << sweep["id"].dump() << " " << sweep["state"].get<std::string>()
            << "; best " << best->size() << " of " << sweep["counts"]["total"].dump()
            << " trials:\n"
            << trials_table(sweep, *best, 0, *agents) << "database: " << o.db << " (labsweep show "
            << sweep["id"].dump() << ", labsweep export " << sweep["id"].dump() << ")\n";
  return sweep["state"] == "completed" ? kExitOk : kExitInterrupted;
}

Result<int64_t> submit(const RunOptions& o, const std::string& text,
                       orchestrator::SweepControl& control) {
  std::filesystem::path file = std::filesystem::absolute(o.file);
  auto submitted = control.submit_sweep(
      {.text = text,
       .file_name = file.filename().string(),
       .name = o.name.empty() ? std::nullopt : std::optional<std::string>(o.name),
       .directory = file.parent_path().string()});
  if (!submitted) return submitted.status();
  if (!submitted->sweep) return invalid_argument("the server refused " + o.file);
  return submitted->sweep->value;
}

int run_sweep(const RunOptions& o) {
  std::string text;
  if (!print_local_diagnostics(o, text)) return kExitInvalid;
  // The progress line says what happens; the log shows only problems unless asked for more.
  if (!o.verbose) set_min_log_level(LogLevel::kWarning);
  Interrupts interrupts;
  ShutdownSignal signals([&](int) { interrupts.add(); });
  SystemClock clock;
  auto server = start_server(o, clock);
  if (!server) return print_failure(server.status(), std::cerr);
  auto local = make_local_agent(o.machine, (*server)->agent_endpoint(), clock, std::cerr);
  if (!local) return print_failure(local.status(), std::cerr);
  std::thread agent_thread([&] { local->agent->run(); });
  int exit_code = kExitFailed;
  auto api = ApiClient::connect("http://127.0.0.1:" + std::to_string((*server)->http_port()));
  Result<int64_t> sweep = submit(o, text, (*server)->control());
  if (!sweep) {
    print_failure(sweep.status(), std::cerr);
  } else {
    std::cout << "sweep " << *sweep << " from " << o.file << "; API at " << api->url()
              << "/api/v1/sweeps/" << *sweep << "\n";
    std::optional<nlohmann::json> last = watch(o, *api, *sweep, (*server)->control(), interrupts);
    exit_code = last ? report(o, *api, *last) : kExitInterrupted;
  }
  local->agent->request_stop();
  agent_thread.join();
  (*server)->request_stop();
  (*server)->wait();
  return exit_code;
}

}  // namespace

void add_run_command(CLI::App& app, std::function<int()>& action) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a sweep on this machine, start to finish");
  cmd->add_option("file", options->file, "The sweep file (YAML)")->required();
  cmd->add_option("--name", options->name, "The sweep's name (default: the file's name:)");
  cmd->add_option("--db", options->db, "The SQLite database file (default: labsweep.db)");
  cmd->add_option("--http-port", options->http_port,
                  "The HTTP API's port on 127.0.0.1 (default: 8080, else any free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--best", options->best, "How many of the best trials to list at the end");
  cmd->add_flag("--quiet", options->quiet, "No progress line");
  cmd->add_flag("--verbose", options->verbose,
                "Log every event (trials assigned, started, ended) to stderr");
  add_machine_options(*cmd, options->machine);
  cmd->callback([options, &action] { action = [options] { return run_sweep(*options); }; });
}

}  // namespace labsweep::cli
