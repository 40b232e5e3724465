// bench-scale: one sweep of 100,000 trials and 10,000,000 metric points through a real
// `labsweep server` process, then the orchestrator's peak memory and `labsweep show`'s speed.
//
// The server is the real binary (build/bin/labsweep server), a child process with its own
// database. The sweep is submitted with `labsweep submit`. The agents are simulated in this
// process: DEALER sockets speaking the real wire protocol (hello, heartbeats, trial_started,
// metrics with sequence numbers, trial_ended; they take assigns and acks) that, for each
// assign, at once report the trial started, its points and its end. So the orchestrator's real
// dispatch, ingest, store and ack paths run for every trial, without 100,000 processes.
//
// Then: `labsweep show SWEEP` (the whole command's wall time: once, the first after the sweep,
// then several times taking turns with `labsweep ls`), `labsweep show SWEEP --all` once (every
// trial, as show read them before the server ranked them), the API calls show makes, and the
// peer: a plain SQL query of the best 20 trials on the same file, through SQLite's C API. Last,
// the server's VmHWM (/proc/PID/status), so that it includes serving all of that.
//
// Options: --trials T (100000) --steps S (100) --metrics M (1): T trials of S steps of M
// metrics; --agents A (8) --slots N (16 CPU slots each) --runs R (5, of each timed command)
// --timeout-s S (600).
//
// Last line: {"bench": "scale", "orchestrator_rss_mb": ..., "show_ms": ..., ...}

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "protocol/codec.h"
#include "protocol/messages.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace labsweep;
using Steady = std::chrono::steady_clock;

struct Options {
  int64_t trials = 100'000;
  int64_t steps = 100;
  int metrics = 1;
  int agents = 8;
  int slots = 16;
  int runs = 5;
  int timeout_s = 600;
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench-scale: %s\n", why.c_str());
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) die("missing value after " + flag);
    int64_t value = std::atoll(argv[++i]);
    if (value < 1) die(flag + " must be at least 1");
    if (flag == "--trials") {
      o.trials = value;
    } else if (flag == "--steps") {
      o.steps = value;
    } else if (flag == "--metrics") {
      o.metrics = static_cast<int>(value);
    } else if (flag == "--agents") {
      o.agents = static_cast<int>(value);
    } else if (flag == "--slots") {
      o.slots = static_cast<int>(value);
    } else if (flag == "--runs") {
      o.runs = static_cast<int>(value);
    } else if (flag == "--timeout-s") {
      o.timeout_s = static_cast<int>(value);
    } else {
      die("unknown option " + flag +
          " (--trials T --steps S --metrics M --agents A --slots N --runs R --timeout-s S)");
    }
  }
  return o;
}

double seconds_since(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- child processes -------------------------------------------------------------------------

pid_t spawn(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) die("cannot start " + args[0]);
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) die("waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs a command to its end; its wall time in milliseconds. Fails the bench on a non-zero exit.
double timed_run(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  Steady::time_point start = Steady::now();
  int code = wait_exit(spawn(args, out, err));
  double ms = seconds_since(start) * 1e3;
  if (code != 0) die(args[1] + " exited with " + std::to_string(code) + ": " + read_file(err));
  return ms;
}

struct Spread {
  double median = 0;
  double max = 0;
};

Spread spread_of(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples.back()};
}

// "VmHWM:    123456 kB" -> megabytes.
double proc_status_mb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atof(line.c_str() + field.size() + 1) / 1024;
  }
  die("no " + field + " in /proc/" + std::to_string(pid) + "/status");
}

// One API call's time in milliseconds (a fresh connection each, as the CLI makes), `runs` times.
Spread api_times(const std::string& url, const std::string& path, int runs) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    httplib::Client client(url);
    Steady::time_point start = Steady::now();
    httplib::Result response = client.Get(path);
    samples.push_back(seconds_since(start) * 1e3);
    if (!response || response->status != 200) {
      die("GET " + path + ": " +
          (response ? response->body : httplib::to_string(response.error())));
    }
  }
  return spread_of(samples);
}

// ---- the simulated agents --------------------------------------------------------------------

struct Shared {
  Options options;
  std::string endpoint;
  std::atomic<int64_t> trials_ended{0};
  std::atomic<int64_t> points_sent{0};
  std::atomic<bool> stop{false};
};

double loss_of(int64_t trial, int64_t step, int metric) {
  // Decreasing in step, trials spread apart, with ties between trials (the modulus) on purpose.
  return 1.0 / static_cast<double>(1 + step) + static_cast<double>(trial % 9973) * 1e-4 +
         metric * 0.5;
}

class SimAgent {
 public:
  SimAgent(zmq::context_t& context, Shared& shared, int index)
      : shared_(shared), socket_(context, zmq::socket_type::dealer), index_(index) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::sndhwm, 0);
    socket_.set(zmq::sockopt::rcvhwm, 0);
    socket_.connect(shared.endpoint);
  }

  void run() {
    send(protocol::Hello{.agent_name = "scale-agent-" + std::to_string(index_),
                         .host = "localhost",
                         .gpus = {},
                         .cpu_slots = shared_.options.slots,
                         .slots_per_gpu = 1,
                         .running_trials = {}});
    Steady::time_point next_heartbeat = Steady::now();
    while (!shared_.stop) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(50));
      zmq::message_t frame;
      while (socket_.recv(frame, zmq::recv_flags::dontwait)) on_frame(frame.to_string_view());
      if (welcomed_ && Steady::now() >= next_heartbeat) {
        send(protocol::Heartbeat{});
        next_heartbeat = Steady::now() + std::chrono::milliseconds(500);
      }
    }
  }

  uint64_t unacked() const { return seq_ - acked_; }  // from any thread

 private:
  void send(const protocol::Message& message) {
    std::string frame = protocol::encode(message);
    socket_.send(zmq::const_buffer(frame.data(), frame.size()), zmq::send_flags::none);
  }

  void on_frame(std::string_view bytes) {
    Result<protocol::Message> message = protocol::decode(bytes);
    if (!message) die("undecodable frame from the orchestrator: " + message.status().message());
    if (std::holds_alternative<protocol::Welcome>(*message)) welcomed_ = true;
    if (auto* ack = std::get_if<protocol::Ack>(&*message))
      acked_ = std::max(acked_.load(), ack->seq);
    if (auto* assign = std::get_if<protocol::Assign>(&*message)) run_trial(assign->trial_id);
    if (auto* stop = std::get_if<protocol::Stop>(&*message)) {
      send(protocol::TrialEnded{.seq = ++seq_,
                                .trial_id = stop->trial_id,
                                .exit_code = 0,
                                .signal = 0,
                                .stopped = true,
                                .stderr_tail = "",
                                .time_ms = wall_ms()});
    }
  }

  // What a trial that reports its whole curve at once would send, in the agent's batch size.
  void run_trial(int64_t trial) {
    const Options& o = shared_.options;
    send(protocol::TrialStarted{.seq = ++seq_, .trial_id = trial, .time_ms = wall_ms()});
    protocol::Metrics batch{.seq = 0, .trial_id = trial, .points = {}};
    for (int64_t step = 0; step < o.steps; ++step) {
      for (int m = 0; m < o.metrics; ++m) {
        batch.points.push_back(
            protocol::MetricPoint{.step = step,
                                  .name = m == 0 ? "loss" : "m" + std::to_string(m),
                                  .value = loss_of(trial, step, m),
                                  .time_ms = wall_ms()});
        if (batch.points.size() == kBatchPoints) flush(batch);
      }
    }
    flush(batch);
    send(protocol::TrialEnded{.seq = ++seq_,
                              .trial_id = trial,
                              .exit_code = 0,
                              .signal = 0,
                              .stopped = false,
                              .stderr_tail = "",
                              .time_ms = wall_ms()});
    ++shared_.trials_ended;
  }

  void flush(protocol::Metrics& batch) {
    if (batch.points.empty()) return;
    batch.seq = ++seq_;
    send(batch);
    shared_.points_sent += static_cast<int64_t>(batch.points.size());
    batch.points.clear();
  }

  static constexpr size_t kBatchPoints = 512;  // the real agent's batch size
  Shared& shared_;
  zmq::socket_t socket_;
  int index_;
  bool welcomed_ = false;
  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> acked_{0};
};

// ---- the server ------------------------------------------------------------------------------

struct ServerProcess {
  pid_t pid = 0;
  std::string agent_endpoint;
  std::string url;
};

// Starts `labsweep server` on free ports and reads where it listens from its first line.
ServerProcess start_server(const fs::path& labsweep, const fs::path& dir) {
  ServerProcess server;
  fs::path log = dir / "server.log";
  server.pid = spawn({labsweep.string(), "server", "--db", (dir / "scale.db").string(), "--agents",
                      "tcp://127.0.0.1:0", "--http-port", "0"},
                     dir / "server.out", log);
  Steady::time_point start = Steady::now();
  while (seconds_since(start) < 30) {
    std::string text = read_file(log);
    size_t agents = text.find("agents connect to ");
    size_t api = text.find("at http://");
    if (agents != std::string::npos && api != std::string::npos) {
      size_t from = agents + std::string("agents connect to ").size();
      server.agent_endpoint = text.substr(from, text.find(',', from) - from);
      from = api + std::string("at ").size();
      server.url = text.substr(from, text.find('/', from + 7) - from);
      return server;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  die("the server did not start: " + read_file(log));
}

std::string sweep_file(const Options& o) {
  return "method: grid\nname: scale-bench\ncommand: [/bin/true, '${args}']\n"
         "metric: {name: loss, goal: minimize}\n"
         "parameters:\n  i: {min: 0, max: " +
         std::to_string(o.trials - 1) + "}\n";
}

// ---- the store, read directly ----------------------------------------------------------------

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      die("cannot open " + path.string());
    sqlite3_busy_timeout(db, 5000);
  }
  ~Db() { sqlite3_close(db); }
  // Every row's columns as text, joined by spaces, one line per row.
  std::vector<std::string> rows(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      die(std::string("sql: ") + sqlite3_errmsg(db));
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row += (c ? " " : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  int64_t integer(const std::string& sql) { return std::atoll(rows(sql).at(0).c_str()); }
};

// The peer: the best 20 trials by their lowest loss, as a plain SQL query would find them.
std::string peer_best_sql(int64_t sweep) {
  return "SELECT t.id, s.min_value FROM trials t JOIN trial_summaries s ON s.trial_id = t.id "
         "WHERE t.sweep_id = " +
         std::to_string(sweep) +
         " AND s.key_id = (SELECT id FROM metric_keys WHERE name = 'loss') "
         "AND s.min_value IS NOT NULL ORDER BY s.min_value, t.id LIMIT 20";
}

// ---- the run ---------------------------------------------------------------------------------

struct SweepRun {
  int64_t sweep = 0;
  double seconds = 0;
};

SweepRun run_sweep(const Options& o, const fs::path& labsweep, const fs::path& dir,
                   const ServerProcess& server) {
  Shared shared;
  shared.options = o;
  shared.endpoint = server.agent_endpoint;
  zmq::context_t context;
  std::vector<std::unique_ptr<SimAgent>> agents;
  for (int i = 0; i < o.agents; ++i)
    agents.push_back(std::make_unique<SimAgent>(context, shared, i));
  std::vector<std::thread> threads;
  for (auto& agent : agents) threads.emplace_back([&agent] { agent->run(); });

  fs::path spec = dir / "scale.yaml";
  std::ofstream(spec) << sweep_file(o);
  Steady::time_point start = Steady::now();
  timed_run({labsweep.string(), "submit", spec.string(), "--url", server.url}, dir / "submit.out",
            dir / "submit.err");
  std::string submitted = read_file(dir / "submit.out");
  SweepRun run;
  run.sweep = std::atoll(submitted.c_str() + submitted.find("sweep ") + 6);
  if (run.sweep <= 0) die("no sweep id in: " + submitted);

  // Done when every trial ended and every message is acknowledged (committed).
  int64_t last_report = 0;
  while (true) {
    bool all_acked =
        std::all_of(agents.begin(), agents.end(), [](const auto& a) { return a->unacked() == 0; });
    if (shared.trials_ended >= o.trials && all_acked) break;
    if (seconds_since(start) > o.timeout_s) die("the sweep did not finish in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (shared.trials_ended / 10'000 != last_report) {
      last_report = shared.trials_ended / 10'000;
      std::fprintf(stderr, "  %lld trials ended, %.0f s\n",
                   static_cast<long long>(shared.trials_ended.load()), seconds_since(start));
    }
  }
  run.seconds = seconds_since(start);
  shared.stop = true;
  for (std::thread& t : threads) t.join();
  return run;
}

std::string first_lines(const std::string& text, int count) {
  size_t at = 0;
  for (int i = 0; i < count && at != std::string::npos; ++i) {
    at = text.find('\n', at);
    if (at != std::string::npos) ++at;
  }
  return text.substr(0, at == std::string::npos ? text.size() : at);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  fs::path bin = fs::canonical("/proc/self/exe").parent_path();
  fs::path labsweep = bin / "labsweep";
  if (!fs::exists(labsweep)) die(labsweep.string() + " is not built");
  std::string tmpl = (fs::temp_directory_path() / "bench-scale-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) die("cannot create a temporary directory");
  fs::path dir = tmpl;

  ServerProcess server = start_server(labsweep, dir);
  std::printf(
      "bench-scale: %lld trials x %lld steps x %d metrics, %d simulated agents x %d slots\n",
      static_cast<long long>(o.trials), static_cast<long long>(o.steps), o.metrics, o.agents,
      o.slots);
  std::fflush(stdout);
  SweepRun run = run_sweep(o, labsweep, dir, server);
  const int64_t points = o.trials * o.steps * o.metrics;
  double rss_mb = proc_status_mb(server.pid, "VmHWM");
  double rss_now_mb = proc_status_mb(server.pid, "VmRSS");

  Db db(dir / "scale.db");
  int64_t stored = db.integer("SELECT count(*) FROM metric_points");
  int64_t completed =
      db.integer("SELECT count(*) FROM trials WHERE sweep_id = " + std::to_string(run.sweep) +
                 " AND status = 'completed'");
  if (stored != points || completed != o.trials) {
    die("the store holds " + std::to_string(stored) + " points and " + std::to_string(completed) +
        " completed trials; expected " + std::to_string(points) + " and " +
        std::to_string(o.trials));
  }

  const std::string id = std::to_string(run.sweep);
  const std::vector<std::string> show_args = {labsweep.string(), "show", id, "--url", server.url};
  const std::vector<std::string> ls_args = {labsweep.string(), "ls", "--url", server.url};
  // The first show after the sweep pays what a server pays once per sweep (reading its file)
  // and the caches that the sweep's last commits left cold; it is reported on its own.
  double show_first_ms = timed_run(show_args, dir / "cmd.out", dir / "cmd.err");
  std::string show_text = read_file(dir / "cmd.out");
  // show and ls take turns, so that a burst of load on the machine hits both alike.
  std::vector<double> show_samples, ls_samples;
  for (int i = 0; i < o.runs; ++i) {
    show_samples.push_back(timed_run(show_args, dir / "cmd.out", dir / "cmd.err"));
    ls_samples.push_back(timed_run(ls_args, dir / "cmd.out", dir / "cmd.err"));
  }
  Spread show = spread_of(show_samples);
  Spread ls = spread_of(ls_samples);
  // What show did before the server ranked trials: fetch every trial, a page at a time.
  double show_all_ms = timed_run({labsweep.string(), "show", id, "--all", "--url", server.url},
                                 dir / "all.out", dir / "cmd.err");
  Spread api_sweep = api_times(server.url, "/api/v1/sweeps/" + id, o.runs);
  Spread api_best =
      api_times(server.url, "/api/v1/sweeps/" + id + "/trials?order=best&limit=20", o.runs);
  std::vector<double> peer_samples;
  for (int i = 0; i < o.runs; ++i) {
    Steady::time_point start = Steady::now();
    if (db.rows(peer_best_sql(run.sweep)).size() != 20) die("the peer query found fewer than 20");
    peer_samples.push_back(seconds_since(start) * 1e3);
  }
  Spread peer = spread_of(peer_samples);
  double rss_after_mb = proc_status_mb(server.pid, "VmHWM");

  ::kill(server.pid, SIGTERM);
  int code = wait_exit(server.pid);
  if (code != 0) die("the server exited with " + std::to_string(code));

  std::printf("\n%s\n", first_lines(show_text, 12).c_str());
  std::printf("  %-52s %10s %10s\n", "what", "median ms", "max ms");
  std::printf("  %-52s %10.1f %10.1f\n", "labsweep show SWEEP (whole command)", show.median,
              show.max);
  std::printf("  %-52s %10.1f %10s\n", "labsweep show SWEEP, the first after the sweep",
              show_first_ms, "");
  std::printf("  %-52s %10.1f %10s\n", "labsweep show SWEEP --all (every trial, one run)",
              show_all_ms, "");
  std::printf("  %-52s %10.1f %10.1f\n", "labsweep ls (whole command)", ls.median, ls.max);
  std::printf("  %-52s %10.1f %10.1f\n", "API: GET /sweeps/{id}", api_sweep.median, api_sweep.max);
  std::printf("  %-52s %10.1f %10.1f\n", "API: GET /sweeps/{id}/trials?order=best&limit=20",
              api_best.median, api_best.max);
  std::printf("  %-52s %10.1f %10.1f\n", "peer: SQL of the best 20 trials (sqlite3 C API)",
              peer.median, peer.max);
  std::printf(
      "\n  orchestrator peak RSS (VmHWM) after the sweep: %.1f MB (now %.1f MB); after "
      "the queries: %.1f MB\n",
      rss_mb, rss_now_mb, rss_after_mb);
  std::printf("  load average at the end: %s", read_file("/proc/loadavg").c_str());
  std::printf("  the sweep: %lld trials, %lld points in %.1f s: %.0f trials/s, %.3g points/s\n",
              static_cast<long long>(o.trials), static_cast<long long>(points), run.seconds,
              static_cast<double>(o.trials) / run.seconds,
              static_cast<double>(points) / run.seconds);

  nlohmann::json figures = {{"bench", "scale"},
                            {"orchestrator_rss_mb", std::round(rss_after_mb * 10) / 10},
                            {"show_ms", std::round(show.median * 10) / 10},
                            {"show_max_ms", std::round(show.max * 10) / 10},
                            {"show_first_ms", std::round(show_first_ms * 10) / 10},
                            {"show_all_ms", std::round(show_all_ms)},
                            {"ls_ms", std::round(ls.median * 10) / 10},
                            {"api_sweep_ms", std::round(api_sweep.median * 10) / 10},
                            {"api_best_trials_ms", std::round(api_best.median * 10) / 10},
                            {"peer_sql_best_ms", std::round(peer.median * 100) / 100},
                            {"sweep_s", std::round(run.seconds * 10) / 10},
                            {"trials_per_s", std::round(o.trials / run.seconds)},
                            {"points_per_s", std::round(points / run.seconds)},
                            {"trials", o.trials},
                            {"points", points}};
  fs::remove_all(dir);
  std::printf("%s\n", figures.dump().c_str());
  return 0;
}
