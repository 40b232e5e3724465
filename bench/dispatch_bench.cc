// bench-dispatch: trials through the whole system. An orchestrator (temporary database, agents
// on tcp://127.0.0.1, HTTP on any free port) and N agents with G fake GPUs each run a grid sweep
// of T trials of /bin/true, one GPU per trial. Measured from the store afterwards:
//
//   trials_per_s  completed trials / wall time from submission to the sweep's completion
//   idle gap      per (agent, GPU): the next trial's started_ms minus the previous trial's
//                 finished_ms (p50, p99). started_ms is the orchestrator's clock when it
//                 dispatches; finished_ms is the agent's clock when it saw the exit (at once
//                 through the trial's pidfd; where there is none, after up to
//                 AgentOptions::child_poll_interval, outside this gap). The table splits the gap
//                 at the next trial's created_ms: the previous trial's end reaching the
//                 orchestrator, which writes the next trial's row, then that row's commit, which
//                 the assign waits for.
//   slot cycle    per (agent, GPU): started_ms of one trial to started_ms of the next: the
//                 assign's trip, the process's whole life (spawn, exec, exit), the agent noticing
//                 the exit, the TrialEnded's trip and commit, and the next dispatch.
//
// The peer, measured first in the same run, is the machine's own floor for this workload: bare
// posix_spawn + waitpid of /bin/true with as many running at once as there are slots.
//
// Each agent is an agent::Agent object in a process of its own, forked from this one before the
// orchestrator starts (its threads), driven by this binary's code: the real launcher is a child
// subreaper for its whole process and keeps a process-wide set of its leaders
// (agent/process_table.h: "used from the agent's one supervising thread only"), so agents on
// threads of one process would reap each other's children. Production runs one agent per
// process too.
//
// Options: --agents N (50) --gpus G (8) --trials T (20000) --poll-ms P (20, the agents'
// child_poll_interval, used without a pidfd) --cgroups auto|off (off) --timeout-s S (180, then
// the sweep is stopped) --work-root DIR (where the agents' trial directories go; default: the
// temporary directory).
//
// Last line: {"bench": "dispatch", "trials_per_s": ..., "idle_p99_ms": ..., "idle_p50_ms": ...,
//             "agents": ..., "trials": ..., "peer_spawn_per_s": ..., ...}

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "agent/agent.h"
#include "agent/gpu_inventory_file.h"
#include "agent/posix_process_launcher.h"
#include "base/clock.h"
#include "orchestrator/server.h"
#include "store/store_reader.h"

namespace {

namespace fs = std::filesystem;
using namespace labsweep;
using Steady = std::chrono::steady_clock;

struct Options {
  int agents = 50;
  int gpus = 8;
  int trials = 20000;
  int poll_ms = 20;
  bool cgroups = false;
  int timeout_s = 180;
  std::string work_root;  // where the agents' directories go; empty: with the database
};

// The bench's own stderr; the orchestrator's and agents' per-trial log lines go to files.
int error_fd = STDERR_FILENO;

[[noreturn]] void die(const std::string& why) {
  ::dprintf(error_fd, "bench-dispatch: %s\n", why.c_str());
  std::exit(1);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) die("missing value after " + flag);
    std::string value = argv[++i];
    if (flag == "--agents") {
      o.agents = std::atoi(value.c_str());
    } else if (flag == "--gpus") {
      o.gpus = std::atoi(value.c_str());
    } else if (flag == "--trials") {
      o.trials = std::atoi(value.c_str());
    } else if (flag == "--poll-ms") {
      o.poll_ms = std::atoi(value.c_str());
    } else if (flag == "--cgroups") {
      o.cgroups = value == "auto";
    } else if (flag == "--work-root") {
      o.work_root = value;
    } else if (flag == "--timeout-s") {
      o.timeout_s = std::atoi(value.c_str());
    } else {
      die("unknown option " + flag +
          " (--agents N --gpus G --trials T --poll-ms P --cgroups auto|off --timeout-s S "
          "--work-root DIR)");
    }
  }
  if (o.agents < 1 || o.gpus < 1 || o.trials < 1 || o.poll_ms < 1 || o.timeout_s < 1) {
    die("counts must be at least 1");
  }
  return o;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) die("cannot write " + path.string());
}

fs::path make_temp_dir(const fs::path& parent) {
  std::string path = (parent / "bench-dispatch-XXXXXX").string();
  if (!::mkdtemp(path.data())) die("cannot create a directory in " + parent.string());
  return path;
}

std::string fake_gpus(int count) {
  std::string text = "{\"gpus\": [";
  for (int i = 0; i < count; ++i) {
    text += std::string(i ? ", " : "") + "{\"name\": \"Fake H100\", \"memory_total_mb\": 81559}";
  }
  return text + "]}\n";
}

std::string sweep_file(int trials) {
  return "method: grid\nname: dispatch-bench\ncommand: [/bin/true, '${args}']\n"
         "parameters:\n  i: {min: 0, max: " +
         std::to_string(trials - 1) + "}\nlabsweep:\n  resources: {gpus: 1}\n";
}

// ---- the agents, one process each ----------------------------------------------------------

// The child's side: reads the orchestrator's endpoint from `control`, runs one agent until the
// parent closes `control`, and exits without returning into the parent's stack.
[[noreturn]] void agent_process(const Options& o, int index, int control, const fs::path& root,
                                const fs::path& work_root) {
  fs::path dir = work_root / ("agent-" + std::to_string(index));
  fs::create_directories(dir);
  // Agents log every trial; keep that out of the table.
  int log = ::open((dir / "agent.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (log >= 0) ::dup2(log, STDERR_FILENO);
  std::string endpoint;
  char c;
  while (::read(control, &c, 1) == 1 && c != '\n') endpoint += c;
  if (endpoint.empty()) ::_exit(0);
  {
    SystemClock clock;
    agent::FileGpuInventory inventory(root / "gpus.json");
    agent::PosixProcessLauncher launcher;
    agent::AgentOptions options;
    options.server_endpoint = endpoint;
    options.name = "bench-agent-" + std::to_string(index);
    options.work_dir = dir;
    options.child_poll_interval = std::chrono::milliseconds(o.poll_ms);
    options.cgroups =
        o.cgroups ? agent::AgentOptions::Cgroups::kAuto : agent::AgentOptions::Cgroups::kOff;
    auto created = agent::Agent::create(options, clock, launcher, inventory);
    if (!created) {
      std::fprintf(stderr, "agent %d: %s\n", index, created.status().message().c_str());
      ::_exit(1);
    }
    std::thread loop([&] { (*created)->run(); });
    while (::read(control, &c, 1) > 0) {
    }
    (*created)->request_stop();
    loop.join();
  }
  ::_exit(0);
}

struct AgentProcesses {
  std::vector<pid_t> pids;
  std::vector<int> controls;  // write ends; closing one stops its agent

  void start_all(const std::string& endpoint) {
    std::string line = endpoint + "\n";
    for (int fd : controls) {
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
        die("cannot reach an agent process");
      }
    }
  }
  void stop_all() {
    for (int fd : controls) ::close(fd);
    controls.clear();
    for (pid_t pid : pids) {
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    pids.clear();
  }
};

AgentProcesses fork_agents(const Options& o, const fs::path& root, const fs::path& work_root) {
  AgentProcesses agents;
  for (int i = 0; i < o.agents; ++i) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) die("pipe");
    std::fflush(nullptr);
    pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      for (int fd : agents.controls) ::close(fd);  // so that each agent sees its own EOF
      ::close(fds[1]);
      agent_process(o, i, fds[0], root, work_root);
    }
    ::close(fds[0]);
    agents.pids.push_back(pid);
    agents.controls.push_back(fds[1]);
  }
  return agents;
}

// ---- the peer ------------------------------------------------------------------------------

// The floor under any orchestrator on this machine: /bin/true started with posix_spawn and
// reaped with waitpid, keeping `slots` running at once, nothing else. Trials per second.
double peer_spawn_rate(int slots, int count) {
  char arg0[] = "/bin/true";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {nullptr};
  auto start = Steady::now();
  int running = 0, started = 0;
  while (started < count || running > 0) {
    while (running < slots && started < count) {
      pid_t pid = 0;
      if (::posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, envp) != 0) die("spawn");
      ++running;
      ++started;
    }
    int status = 0;
    if (::waitpid(-1, &status, 0) > 0) --running;
  }
  return count / std::chrono::duration<double>(Steady::now() - start).count();
}

// ---- figures -------------------------------------------------------------------------------

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  fs::path root = make_temp_dir(fs::temp_directory_path());
  fs::path work_root = o.work_root.empty() ? root : make_temp_dir(o.work_root);
  write_file(root / "gpus.json", fake_gpus(o.gpus));

  // Before anything else runs: the machine's own rate for this workload.
  double peer_per_s = peer_spawn_rate(o.agents * o.gpus, std::min(o.trials, 5000));

  // Forked before the orchestrator exists, so that no child inherits its threads.
  AgentProcesses agents = fork_agents(o, root, work_root);

  error_fd = ::dup(STDERR_FILENO);
  int log = ::open((root / "orchestrator.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) ::dup2(log, STDERR_FILENO);

  SystemClock clock;
  orchestrator::ServerOptions server_options;
  server_options.db_path = root / "labsweep.db";
  server_options.agent_endpoint = "tcp://127.0.0.1:0";
  server_options.http_port = 0;
  auto server = orchestrator::Server::start(server_options, clock);
  if (!server) die("server: " + server.status().message());
  agents.start_all((*server)->agent_endpoint());

  // Every agent registered, with its GPUs free.
  auto registered = Steady::now();
  for (;;) {
    int ready = 0;
    for (const auto& a : (*server)->control().agents()) {
      ready += a.state == store::AgentState::kOnline && static_cast<int>(a.gpus.size()) == o.gpus;
    }
    if (ready == o.agents) break;
    if (seconds_since(registered) > 60) die("the agents did not all register within 60 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double register_s = seconds_since(registered);

  auto reader = store::StoreReader::open(server_options.db_path);
  if (!reader) die("reader: " + reader.status().message());

  auto submitted_at = Steady::now();
  auto submitted = (*server)->control().submit_sweep({.text = sweep_file(o.trials)});
  if (!submitted) die("submit: " + submitted.status().message());
  if (!submitted->sweep) {
    std::string why;
    for (const auto& d : submitted->diagnostics) why += "\n  " + d.message;
    die("the sweep was refused:" + why);
  }
  store::SweepId sweep = *submitted->sweep;
  bool timed_out = false;
  for (;;) {
    auto overview = (*reader)->sweep(sweep);
    if (overview && overview->sweep.state != store::SweepState::kRunning) break;
    if (seconds_since(submitted_at) > o.timeout_s) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  double wall_s = seconds_since(submitted_at);
  if (timed_out) (void)(*server)->control().stop_sweep(sweep);

  auto trials = (*reader)->trials(sweep);
  if (!trials) die("trials: " + trials.status().message());
  agents.stop_all();
  (*server)->request_stop();
  (*server)->wait();

  // Per slot, the trials in start order.
  std::map<std::pair<int64_t, int>, std::vector<const store::TrialRecord*>> by_slot;
  int64_t completed = 0, failed = 0, lost = 0, other = 0, attempts = 0;
  int64_t first_start = INT64_MAX, last_finish = 0;
  std::vector<double> run_ms;
  for (const store::TrialView& view : *trials) {
    const store::TrialRecord& t = view.trial;
    attempts += t.attempts;
    if (t.status == store::TrialStatus::kCompleted) {
      ++completed;
    } else if (t.status == store::TrialStatus::kFailed) {
      ++failed;
    } else if (t.status == store::TrialStatus::kLost) {
      ++lost;
    } else {
      ++other;
    }
    if (!t.started_ms || !t.finished_ms || !t.agent || t.gpus.size() != 1) continue;
    by_slot[{t.agent->value, t.gpus[0]}].push_back(&t);
    run_ms.push_back(static_cast<double>(*t.finished_ms - *t.started_ms));
    first_start = std::min(first_start, *t.started_ms);
    last_finish = std::max(last_finish, *t.finished_ms);
  }
  std::vector<double> idle_ms, cycle_ms, end_to_create_ms, create_to_start_ms;
  for (auto& [slot, list] : by_slot) {
    std::sort(list.begin(), list.end(),
              [](auto* a, auto* b) { return *a->started_ms < *b->started_ms; });
    for (size_t i = 1; i < list.size(); ++i) {
      idle_ms.push_back(static_cast<double>(*list[i]->started_ms - *list[i - 1]->finished_ms));
      cycle_ms.push_back(static_cast<double>(*list[i]->started_ms - *list[i - 1]->started_ms));
      // The idle gap in two: the previous trial's end reaching the orchestrator's dispatch
      // (created_ms: the new trial's row is written), and that row's commit before the assign.
      end_to_create_ms.push_back(
          static_cast<double>(list[i]->created_ms - *list[i - 1]->finished_ms));
      create_to_start_ms.push_back(static_cast<double>(*list[i]->started_ms - list[i]->created_ms));
    }
  }
  double trials_per_s = static_cast<double>(completed) / wall_s;
  double idle_p50 = percentile(idle_ms, 50), idle_p99 = percentile(idle_ms, 99);
  double idle_max = idle_ms.empty() ? 0 : *std::max_element(idle_ms.begin(), idle_ms.end());

  std::printf(
      "bench-dispatch: %d agents x %d fake GPUs (%d slots), %d trials of /bin/true, "
      "child poll %d ms, cgroups %s, one agent per process\n  agents' directories in %s\n",
      o.agents, o.gpus, o.agents * o.gpus, o.trials, o.poll_ms, o.cgroups ? "auto" : "off",
      work_root.parent_path().c_str());
  std::printf("  agents registered in %.2f s\n", register_s);
  std::printf("  trials: %lld completed, %lld failed, %lld lost, %lld other, %lld attempts%s\n",
              static_cast<long long>(completed), static_cast<long long>(failed),
              static_cast<long long>(lost), static_cast<long long>(other),
              static_cast<long long>(attempts),
              timed_out ? " (TIMED OUT: the sweep was stopped)" : "");
  std::printf(
      "  wall time, submission to completion: %.2f s (store: first start to last end "
      "%.2f s)\n\n",
      wall_s, static_cast<double>(last_finish - first_start) / 1000.0);
  std::printf("  %-44s %10s %10s %10s\n", "what", "p50", "p99", "max");
  auto row = [](const char* what, const std::vector<double>& v) {
    std::printf("  %-44s %10.1f %10.1f %10.1f\n", what, percentile(v, 50), percentile(v, 99),
                v.empty() ? 0 : *std::max_element(v.begin(), v.end()));
  };
  row("slot idle: finished_ms -> next started_ms (ms)", idle_ms);
  row("  of it: finished_ms -> next created_ms (ms)", end_to_create_ms);
  row("  of it: created_ms -> started_ms (commit) (ms)", create_to_start_ms);
  row("slot cycle: started_ms -> next started_ms (ms)", cycle_ms);
  row("trial: started_ms -> finished_ms (ms)", run_ms);
  std::printf("\n  %-44s %10.0f   (goal >= 300)\n", "trials/s", trials_per_s);
  std::printf("  %-44s %10.1f   (goal < 20)\n", "slot idle p99 (ms)", idle_p99);
  std::printf("  %-44s %10.0f   (posix_spawn + waitpid, %d at once)\n\n",
              "peer: bare /bin/true per s", peer_per_s, o.agents * o.gpus);

  if (timed_out || failed > 0 || lost > 0 || other > 0) {
    std::printf("  logs kept in %s\n\n", root.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(root, ec);
    fs::remove_all(work_root, ec);
  }
  std::printf(
      "{\"bench\": \"dispatch\", \"trials_per_s\": %.1f, \"idle_p99_ms\": %.1f, "
      "\"idle_p50_ms\": %.1f, \"idle_max_ms\": %.1f, \"cycle_p50_ms\": %.1f, "
      "\"cycle_p99_ms\": %.1f, \"agents\": %d, \"gpus_per_agent\": %d, \"trials\": %lld, "
      "\"trials_requested\": %d, \"wall_s\": %.2f, \"child_poll_ms\": %d, "
      "\"peer_spawn_per_s\": %.1f, \"timed_out\": %s}\n",
      trials_per_s, idle_p99, idle_p50, idle_max, percentile(cycle_ms, 50),
      percentile(cycle_ms, 99), o.agents, o.gpus, static_cast<long long>(completed), o.trials,
      wall_s, o.poll_ms, peer_per_s, timed_out ? "true" : "false");
  return 0;  // a run cut short says so in its figures; `make bench` goes on to the next
}
