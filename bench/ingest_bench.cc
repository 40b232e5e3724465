// bench-ingest: metric points committed per second through the real path: trial processes
// reporting through the C++ client on their metrics sockets -> the agent (parsing, batching,
// outbox) -> ZeroMQ -> the orchestrator (ingest, acks) -> the store's writer -> SQLite in WAL
// with synchronous=FULL. The orchestrator (orchestrator::Server) and one agent run in this
// process, as `labsweep run` wires them; the trials are ingest-bench-trial processes, a grid
// sweep on CPU slots. The clock runs from the first trial's start to the moment the store
// holds every point; then every point is checked to be there exactly once.
//
// The peer, measured in the same run: raw batched SQLite inserts of as many rows into a table
// of the same shape, in a file of its own with WAL and synchronous=FULL (one prepared
// statement, transactions of 10,000 rows). Also measured, to locate the time: the store's
// writer alone, fed the same points as AddMetricPoints operations of the agent's batch size.
//
// Flags (all optional): --trials=T (8) --slots=S (4) --steps=N (25000) --metrics=M (10)
//   --batch-points=P (the agent's metric_batch_points) --batch-delay-ms=D (metric_batch_delay)
//   --keep (leave the temporary directory) --store-only (the peer and the store's writer alone)
//
// Last line: {"bench": "ingest", "points_per_s": ..., "raw_sqlite_rows_per_s": ..., "points": ...,
//             "trials": ..., "points_per_s_from_submit": ..., "store_writer_points_per_s": ...}

#include <sqlite3.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "agent/agent.h"
#include "agent/gpu_inventory.h"
#include "agent/posix_process_launcher.h"
#include "base/clock.h"
#include "orchestrator/server.h"
#include "orchestrator/sweep_control.h"
#include "store/records.h"
#include "store/store_reader.h"
#include "store/store_writer.h"
#include "store/trial_status.h"
#include "store/write_ops.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using labsweep::store::TrialStatus;

struct Options {
  int64_t trials = 8;
  int64_t slots = 4;
  int64_t steps = 25'000;
  int64_t metrics = 10;
  int64_t batch_points = -1;    // -1: the agent's default
  int64_t batch_delay_ms = -1;  // -1: the agent's default
  bool keep = false;
  bool store_only = false;  // the peer and the store's writer alone, not the whole path
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench-ingest: FAILED: %s\n", why.c_str());
  std::exit(1);
}

// CPU seconds this process has used (every thread, user and system).
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return s(usage.ru_utime) + s(usage.ru_stime);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool flag(std::string_view arg, std::string_view name, int64_t& out) {
  if (arg.substr(0, name.size()) != name) return false;
  out = std::strtoll(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
  return true;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--keep") {
      o.keep = true;
    } else if (a == "--store-only") {
      o.store_only = true;
    } else if (!flag(a, "--trials=", o.trials) && !flag(a, "--slots=", o.slots) &&
               !flag(a, "--steps=", o.steps) && !flag(a, "--metrics=", o.metrics) &&
               !flag(a, "--batch-points=", o.batch_points) &&
               !flag(a, "--batch-delay-ms=", o.batch_delay_ms)) {
      die("unknown flag " + std::string(a));
    }
  }
  if (o.trials < 1 || o.slots < 1 || o.steps < 1 || o.metrics < 1) die("bad flags");
  return o;
}

class NoGpus final : public labsweep::agent::GpuInventory {
 public:
  labsweep::Result<std::vector<labsweep::agent::GpuSample>> sample() override {
    return std::vector<labsweep::agent::GpuSample>{};
  }
  std::string description() const override { return "no GPUs (bench-ingest)"; }
};

std::string sweep_text(const Options& o, const fs::path& trial_program) {
  std::ostringstream y;
  y << "method: grid\nprogram: " << trial_program.string() << "\n"
    << "command: [\"${program}\", \"${args}\"]\nparameters:\n  index:\n    values: [";
  for (int64_t i = 0; i < o.trials; ++i) y << (i ? ", " : "") << i;
  y << "]\n  steps:\n    value: " << o.steps << "\n  metrics:\n    value: " << o.metrics
    << "\nlabsweep:\n  resources: {gpus: 0}\n  max_concurrent: " << o.slots << "\n";
  return y.str();
}

// ----- the peer: raw batched SQLite inserts -----

void exec_or_die(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : "?";
    sqlite3_free(error);
    die(std::string("raw SQLite: ") + sql + ": " + why);
  }
}

double raw_sqlite_seconds(const fs::path& path, const Options& o) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) die("raw SQLite: cannot open " + path.string());
  exec_or_die(db, "PRAGMA journal_mode=WAL");
  exec_or_die(db, "PRAGMA synchronous=FULL");
  exec_or_die(db,
              "CREATE TABLE metric_points (trial_id INTEGER NOT NULL, key_id INTEGER NOT NULL, "
              "step INTEGER NOT NULL, value REAL, time_ms INTEGER NOT NULL, "
              "PRIMARY KEY (trial_id, key_id, step)) STRICT, WITHOUT ROWID");
  sqlite3_stmt* insert = nullptr;
  if (sqlite3_prepare_v2(db,
                         "INSERT INTO metric_points (trial_id, key_id, step, value, time_ms) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         -1, &insert, nullptr) != SQLITE_OK) {
    die("raw SQLite: prepare");
  }
  const int64_t kRowsPerTransaction = 10'000;
  int64_t rows = 0;
  int64_t now = wall_ms();
  auto start = Clock::now();
  exec_or_die(db, "BEGIN");
  // Row order as the trials send them: each trial's steps in order, all its metrics per step.
  for (int64_t t = 1; t <= o.trials; ++t) {
    for (int64_t step = 0; step < o.steps; ++step) {
      for (int64_t m = 0; m < o.metrics; ++m) {
        sqlite3_bind_int64(insert, 1, t);
        sqlite3_bind_int64(insert, 2, m + 1);
        sqlite3_bind_int64(insert, 3, step);
        sqlite3_bind_double(insert, 4, 1.0 / static_cast<double>(step + m + 1));
        sqlite3_bind_int64(insert, 5, now);
        if (sqlite3_step(insert) != SQLITE_DONE) die("raw SQLite: insert");
        sqlite3_reset(insert);
        if (++rows % kRowsPerTransaction == 0) {
          exec_or_die(db, "COMMIT");
          exec_or_die(db, "BEGIN");
        }
      }
    }
  }
  exec_or_die(db, "COMMIT");
  double seconds = seconds_since(start);
  sqlite3_finalize(insert);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM metric_points", -1, &count, nullptr);
  sqlite3_step(count);
  int64_t stored = sqlite3_column_int64(count, 0);
  sqlite3_finalize(count);
  sqlite3_close(db);
  if (stored != rows)
    die("raw SQLite stored " + std::to_string(stored) + " rows, not " + std::to_string(rows));
  return seconds;
}

// ----- the store's writer alone: the same points as AddMetricPoints operations -----

// The store's ceiling: as many points, in operations of `per_op` points (as the agent batches
// them), submitted straight to a StoreWriter (WAL, synchronous=FULL), timed until all committed.
double store_writer_seconds(const fs::path& path, const Options& o, size_t per_op, double& cpu_s) {
  namespace st = labsweep::store;
  auto writer = st::StoreWriter::open(path);
  if (!writer) die("store writer: " + writer.status().message());
  auto sweep = (*writer)->submit(st::CreateSweep{.name = "w", .method = "grid"}).get();
  if (!sweep) die("store writer: create sweep: " + sweep.status().message());
  std::vector<st::TrialId> trials;
  for (int64_t t = 0; t < o.trials; ++t) {
    auto id = (*writer)->submit(st::AddTrial{.sweep = *sweep, .suggestion_index = t}).get();
    if (!id) die("store writer: add trial: " + id.status().message());
    trials.push_back(*id);
  }
  std::vector<std::string> names;
  for (int64_t m = 0; m < o.metrics; ++m) names.push_back("m" + std::to_string(m));
  std::vector<st::AddMetricPoints> ops;
  int64_t now = wall_ms();
  for (st::TrialId trial : trials) {
    st::AddMetricPoints op;
    for (int64_t step = 0; step < o.steps; ++step) {
      for (int64_t m = 0; m < o.metrics; ++m) {
        op.points.push_back({.trial = trial,
                             .key = names[static_cast<size_t>(m)],
                             .step = step,
                             .value = 1.0 / static_cast<double>(step + m + 1),
                             .time_ms = now});
        if (op.points.size() == per_op) ops.push_back(std::exchange(op, {}));
      }
    }
    if (!op.points.empty()) ops.push_back(std::move(op));
  }
  std::atomic<int64_t> inserted{0};
  std::atomic<int64_t> failed{0};
  double cpu_start = cpu_seconds();
  auto start = Clock::now();
  for (st::AddMetricPoints& op : ops) {
    (*writer)->submit(std::move(op), std::function<void(labsweep::Result<int64_t>)>(
                                         [&](labsweep::Result<int64_t> r) {
                                           if (r) {
                                             inserted += *r;
                                           } else {
                                             ++failed;
                                           }
                                         }));
  }
  if (!(*writer)->flush().get().is_ok()) die("store writer: flush");
  double seconds = seconds_since(start);
  cpu_s = cpu_seconds() - cpu_start;
  (*writer)->shutdown();
  if (failed != 0 || inserted != o.trials * o.steps * o.metrics) {
    die("store writer inserted " + std::to_string(inserted.load()) + " points, " +
        std::to_string(failed.load()) + " operations failed");
  }
  return seconds;
}

// ----- checks on the orchestrator's database -----

// Runs a query of one integer on a read-only connection of our own.
int64_t query_int(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    die("cannot open " + db_path.string());
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) die("prepare " + sql);
  if (sqlite3_step(st) != SQLITE_ROW) die("no row from " + sql);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

struct Progress {
  int64_t points = 0;     // the summaries' counts, summed
  int64_t finished = 0;   // trials in a final status
  int64_t completed = 0;  // of which completed
  int64_t first_started_ms = 0;
  bool any_started = false;
};

Progress progress(labsweep::store::StoreReader& reader, labsweep::store::SweepId sweep) {
  auto trials = reader.trials(sweep);
  if (!trials) die("reading the trials: " + trials.status().message());
  Progress p;
  for (const auto& view : *trials) {
    for (const auto& s : view.summaries) p.points += s.count;
    TrialStatus st = view.trial.status;
    if (st == TrialStatus::kCompleted) ++p.completed;
    if (st == TrialStatus::kCompleted || st == TrialStatus::kFailed ||
        st == TrialStatus::kStopped || st == TrialStatus::kLost) {
      ++p.finished;
    }
    if (view.trial.started_ms) {
      if (!p.any_started || *view.trial.started_ms < p.first_started_ms) {
        p.first_started_ms = *view.trial.started_ms;
      }
      p.any_started = true;
    }
  }
  return p;
}

// The trials' own figures: the longest time one took to send its reports (stdout.log).
double slowest_send_seconds(const fs::path& trials_dir) {
  double slowest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(trials_dir, ec)) {
    std::ifstream in(entry.path() / "stdout.log");
    std::string word;
    long long points = 0;
    double seconds = 0;
    std::string line;
    if (std::getline(in, line) &&
        std::sscanf(line.c_str(), "sent %lld points in %lf s", &points, &seconds) == 2) {
      slowest = std::max(slowest, seconds);
    }
  }
  return slowest;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  const int64_t expected = o.trials * o.steps * o.metrics;
  fs::path self = fs::read_symlink("/proc/self/exe");
  fs::path trial_program = self.parent_path() / "ingest-bench-trial";
  if (!fs::exists(trial_program)) die(trial_program.string() + " is missing (build it)");

  std::string tmpl = (fs::temp_directory_path() / "bench-ingest-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) die("mkdtemp");
  fs::path tmp = tmpl;

  // The peer first, so that the real run's files do not share the page cache's dirty pages.
  double raw_s = raw_sqlite_seconds(tmp / "raw.db", o);
  const size_t per_op = o.batch_points > 0 ? static_cast<size_t>(o.batch_points) : 512;
  double writer_cpu_s = 0;
  double writer_s = store_writer_seconds(tmp / "writer.db", o, per_op, writer_cpu_s);
  if (o.store_only) {
    std::printf("store writer %.3e points/s (%.2f us CPU per point), raw SQLite %.3e rows/s\n",
                static_cast<double>(expected) / writer_s,
                1e6 * writer_cpu_s / static_cast<double>(expected),
                static_cast<double>(expected) / raw_s);
    if (!o.keep) fs::remove_all(tmp);
    return 0;
  }

  labsweep::SystemClock clock;
  labsweep::orchestrator::ServerOptions server_options;
  server_options.db_path = tmp / "labsweep.db";
  server_options.agent_endpoint = "tcp://127.0.0.1:0";
  server_options.http_port = 0;
  auto server = labsweep::orchestrator::Server::start(server_options, clock);
  if (!server) die("starting the server: " + server.status().message());

  labsweep::agent::AgentOptions agent_options;
  agent_options.server_endpoint = (*server)->agent_endpoint();
  agent_options.name = "bench";
  agent_options.work_dir = tmp / "work";
  agent_options.cpu_slots = static_cast<int>(o.slots);
  if (o.batch_points > 0) agent_options.metric_batch_points = static_cast<size_t>(o.batch_points);
  if (o.batch_delay_ms >= 0) {
    agent_options.metric_batch_delay = std::chrono::milliseconds(o.batch_delay_ms);
  }
  NoGpus inventory;
  labsweep::agent::PosixProcessLauncher launcher;
  auto agent = labsweep::agent::Agent::create(agent_options, clock, launcher, inventory);
  if (!agent) die("creating the agent: " + agent.status().message());
  std::thread agent_thread([&] { (*agent)->run(); });

  auto reader = labsweep::store::StoreReader::open(server_options.db_path);
  if (!reader) die("opening a reader: " + reader.status().message());

  double pipeline_cpu_start = cpu_seconds();
  auto submitted_at = Clock::now();
  int64_t submitted_ms = wall_ms();
  auto submitted = (*server)->control().submit_sweep(
      {.text = sweep_text(o, trial_program), .file_name = "ingest.yaml", .directory = ""});
  if (!submitted) die("submitting: " + submitted.status().message());
  if (!submitted->sweep) {
    std::string why;
    for (const auto& d : submitted->diagnostics) why += " " + d.message;
    die("the sweep was refused:" + why);
  }
  labsweep::store::SweepId sweep = *submitted->sweep;

  // Polls the store until it holds every point (or every trial ended without them).
  Progress p;
  int64_t done_ms = 0;
  double pipeline_cpu_s = 0;  // this process (orchestrator, agent, store, poller), not trials
  double done_s = 0;
  auto ended_at = Clock::time_point{};
  for (;;) {
    p = progress(**reader, sweep);
    if (p.points >= expected) {
      done_ms = wall_ms();
      done_s = seconds_since(submitted_at);
      pipeline_cpu_s = cpu_seconds() - pipeline_cpu_start;
      break;
    }
    if (p.finished == o.trials) {
      if (ended_at == Clock::time_point{}) ended_at = Clock::now();
      if (seconds_since(ended_at) > 10) {
        die("every trial ended (" + std::to_string(p.completed) + " completed) but the store " +
            "holds " + std::to_string(p.points) + " of " + std::to_string(expected) + " points");
      }
    }
    if (seconds_since(submitted_at) > 600) die("timed out after 600 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The trials end on their own; wait for the sweep to complete before checking.
  while (p.finished < o.trials && seconds_since(submitted_at) < 600) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    p = progress(**reader, sweep);
  }
  double slowest_send_s = slowest_send_seconds(agent_options.work_dir / "trials");
  (*agent)->request_stop();
  agent_thread.join();
  labsweep::agent::AgentCounters counters = (*agent)->counters();
  agent->reset();
  reader->reset();
  (*server)->request_stop();
  (*server)->wait();
  server->reset();

  // Exactly once: every point stored, none twice (the primary key), none missing, every trial
  // completed, and the summaries agreeing with the points.
  int64_t stored = query_int(server_options.db_path, "SELECT count(*) FROM metric_points");
  int64_t summarised =
      query_int(server_options.db_path, "SELECT coalesce(sum(count), 0) FROM trial_summaries");
  int64_t distinct =
      query_int(server_options.db_path,
                "SELECT count(*) FROM (SELECT DISTINCT trial_id, key_id, step FROM metric_points)");
  int64_t complete_series = query_int(
      server_options.db_path,
      "SELECT count(*) FROM (SELECT trial_id, key_id FROM metric_points GROUP BY trial_id, key_id "
      "HAVING count(*) = " +
          std::to_string(o.steps) +
          " AND min(step) = 0 AND max(step) = " + std::to_string(o.steps - 1) + ")");
  if (stored != expected || distinct != expected || summarised != expected ||
      complete_series != o.trials * o.metrics) {
    die("sent " + std::to_string(expected) + " points; stored " + std::to_string(stored) +
        ", distinct " + std::to_string(distinct) + ", summarised " + std::to_string(summarised) +
        ", complete series " + std::to_string(complete_series) + " of " +
        std::to_string(o.trials * o.metrics));
  }
  if (p.completed != o.trials) {
    die(std::to_string(o.trials - p.completed) + " trials did not complete");
  }
  if (counters.rejected_lines != 0) {
    die("the agent rejected " + std::to_string(counters.rejected_lines) + " lines");
  }

  double from_first_start_s =
      static_cast<double>(done_ms - p.first_started_ms) / 1000.0;  // wall clock, 1 ms steps
  double rate = static_cast<double>(expected) / from_first_start_s;
  double rate_from_submit = static_cast<double>(expected) / done_s;
  double raw_rate = static_cast<double>(expected) / raw_s;

  std::printf("ingest: %lld trials (%lld at once) x %lld steps x %lld metrics = %lld points\n\n",
              static_cast<long long>(o.trials), static_cast<long long>(o.slots),
              static_cast<long long>(o.steps), static_cast<long long>(o.metrics),
              static_cast<long long>(expected));
  std::printf("  %-52s %14s %10s\n", "what", "points/s", "seconds");
  std::printf("  %-52s %14.4g %10.3f\n", "trial socket -> agent -> zmq -> orchestrator -> SQLite",
              rate, from_first_start_s);
  std::printf("  %-52s %14.4g %10.3f\n", "  the same, from the sweep's submission",
              rate_from_submit, done_s);
  std::printf("  %-52s %14.4g %10.3f\n", "  slowest trial's sending alone",
              slowest_send_s > 0 ? static_cast<double>(o.steps * o.metrics) / slowest_send_s : 0.0,
              slowest_send_s);
  std::printf("  %-52s %14.4g %10.3f\n", "  store writer alone (AddMetricPoints, agent-sized)",
              static_cast<double>(expected) / writer_s, writer_s);
  std::printf("  %-52s %14.4g %10.3f\n", "peer: raw batched SQLite inserts (10k rows/txn)",
              raw_rate, raw_s);
  std::printf(
      "\n  first trial started %lld ms after submission; every point checked: stored once\n",
      static_cast<long long>(p.first_started_ms - submitted_ms));
  std::printf(
      "  CPU per point: %.2f us in this process for the real path (orchestrator, agent, store,\n"
      "  the poller; the trials not counted), %.2f us for the store writer alone\n",
      pipeline_cpu_s * 1e6 / static_cast<double>(expected),
      writer_cpu_s * 1e6 / static_cast<double>(expected));
  std::printf("  agent: %llu trials started, %llu ended, %llu lines rejected\n",
              static_cast<unsigned long long>(counters.trials_started),
              static_cast<unsigned long long>(counters.trials_ended),
              static_cast<unsigned long long>(counters.rejected_lines));

  std::error_code ec;
  if (!o.keep) {
    fs::remove_all(tmp, ec);
  } else {
    std::printf("  kept %s\n", tmp.c_str());
  }
  std::printf(
      "{\"bench\": \"ingest\", \"points_per_s\": %.4g, \"raw_sqlite_rows_per_s\": %.4g, "
      "\"points\": %lld, \"trials\": %lld, \"points_per_s_from_submit\": %.4g, "
      "\"store_writer_points_per_s\": %.4g}\n",
      rate, raw_rate, static_cast<long long>(expected), static_cast<long long>(o.trials),
      rate_from_submit, static_cast<double>(expected) / writer_s);
  return 0;
}
