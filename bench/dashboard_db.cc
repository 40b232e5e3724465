// dashboard-bench-db: writes the database the dashboard benchmark (bench/dashboard.mjs) opens:
// one finished random-search sweep of T trials (10,000) holding P points of `val_loss`
// (10,000,000) between them, spread over 8 agents of 8 GPUs. It goes through the
// store's own writer (store/store_writer.h), so the summaries, indexes and events are what a
// real sweep leaves behind.
//
// The curves look like training: val_loss = floor + height * exp(-step / tau) + noise, where
// the floor depends on the parameters (a best learning rate near 3e-3, deeper is better, too
// much dropout hurts), so that sorting, the best-N curves and importance have something to
// show. About a third of the trials are stopped early (at a rung, as ASHA would), a few fail;
// the trials that run to the end are as long as it takes to make P points in all.
//
// Usage: dashboard-bench-db --db FILE [--trials T] [--points P] [--seed N]

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "store/store_writer.h"

namespace labsweep::bench {
namespace {

struct Options {
  std::filesystem::path db;
  int trials = 10'000;
  int64_t points = 10'000'000;
  unsigned seed = 1;
};

constexpr std::string_view kSpec = R"(name: dashboard-bench
program: train.py
method: random
metric: {name: val_loss, goal: minimize}
run_cap: 10000
parameters:
  lr: {distribution: log_uniform_values, min: 0.0001, max: 0.1}
  batch_size: {values: [32, 64, 128, 256]}
  dropout: {distribution: uniform, min: 0.0, max: 0.5}
  layers: {distribution: int_uniform, min: 1, max: 6}
  optimizer: {values: [sgd, adam, adamw]}
labsweep:
  early_stopping:
    - {type: asha, metric: val_loss, min_resource: 10, max_resource: 810, eta: 3}
)";

struct Params {
  double lr;
  int batch_size;
  double dropout;
  int layers;
  const char* optimizer;
};

Params draw_params(std::mt19937_64& rng) {
  static const int kBatches[] = {32, 64, 128, 256};
  static const char* kOptimizers[] = {"sgd", "adam", "adamw"};
  std::uniform_real_distribution<double> unit(0, 1);
  return Params{.lr = std::exp(std::log(1e-4) + unit(rng) * (std::log(0.1) - std::log(1e-4))),
                .batch_size = kBatches[rng() % 4],
                .dropout = 0.5 * unit(rng),
                .layers = 1 + int(rng() % 6),
                .optimizer = kOptimizers[rng() % 3]};
}

std::string params_json(const Params& p) {
  char text[256];
  std::snprintf(text, sizeof text,
                R"({"batch_size":%d,"dropout":%.6g,"layers":%d,"lr":%.6g,"optimizer":"%s"})",
                p.batch_size, p.dropout, p.layers, p.lr, p.optimizer);
  return text;
}

// Where the curve levels off: best near lr = 3e-3, better with depth and Adam, worse with much
// dropout.
double floor_of(const Params& p) {
  double off = std::log10(p.lr / 3e-3);
  double opt = std::string_view(p.optimizer) == "sgd" ? 0.05 : 0.0;
  return 0.25 + 0.12 * off * off + 0.3 * std::max(0.0, p.dropout - 0.3) - 0.01 * p.layers + opt;
}

// One trial, drawn before anything is written.
struct Plan {
  Params params;
  double floor;
  int steps;     // how many it reports
  bool stopped;  // at a rung
  bool failed;
};

// The step a trial is stopped at: rungs at 10, 30, 90, 270 (ASHA with eta 3); the worse the
// floor, the earlier. 0: it is never stopped.
int stop_step(double floor, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0, 1);
  if (floor < 0.35 || unit(rng) < 0.4) return 0;
  return floor > 0.8 ? 10 : floor > 0.55 ? 30 : floor > 0.45 ? 90 : 270;
}

// Every trial's plan; those that run to the end share what is left of `points` (at least 300
// steps each).
std::vector<Plan> plan(int trials, int64_t points, std::mt19937_64& rng, int& full_steps) {
  std::vector<Plan> plans;
  int64_t left = points;
  int64_t full = 0;
  for (int i = 0; i < trials; ++i) {
    Plan p{.params = draw_params(rng),
           .floor = 0,
           .steps = 0,
           .stopped = false,
           .failed = rng() % 100 == 0};
    p.floor = floor_of(p.params);
    p.steps = p.failed ? 5 + int(rng() % 50) : stop_step(p.floor, rng);
    p.stopped = !p.failed && p.steps != 0;
    if (p.steps == 0) ++full;
    left -= p.steps;
    plans.push_back(p);
  }
  full_steps = full == 0 ? 300 : int(std::max<int64_t>(300, left / full));
  int64_t extra = full == 0 ? 0 : std::max<int64_t>(0, left - full_steps * full);
  for (Plan& p : plans) {
    if (p.steps != 0) continue;
    p.steps = full_steps + (extra > 0 ? 1 : 0);
    if (extra > 0) --extra;
  }
  return plans;
}

void must(const Status& status) {
  if (status.is_ok()) return;
  std::fprintf(stderr, "dashboard-bench-db: %s\n", status.message().c_str());
  std::exit(1);
}

// Submits `op`, waits for its commit and gives its output; exits on an error.
template <typename Op>
typename Op::Output must(store::StoreWriter& writer, Op op) {
  auto outcome = writer.submit(std::move(op)).get();
  if (!outcome.is_ok()) must(outcome.status());
  return std::move(outcome).value();
}

// Queues a trial's whole life; the writer batches them. Returns the number of points.
int64_t write_trial(store::StoreWriter& writer, store::SweepId sweep, store::TrialId trial,
                    int index, const Plan& plan, const std::vector<store::AgentId>& agents,
                    int64_t t0, std::mt19937_64& rng) {
  const Params& p = plan.params;
  const int last = plan.steps;
  std::normal_distribution<double> noise(0, 0.01);
  double tau = 20 + 200 * std::abs(std::log10(p.lr / 3e-3));
  int64_t start = t0 + index * 600;
  writer.submit(store::AddTrial{sweep, index, params_json(p), start, trial}, {});
  writer.submit(
      store::StartTrial{trial, agents[index % agents.size()], {index / 8 % 8}, start + 5, true},
      {});
  store::AddMetricPoints batch;
  batch.points.reserve(size_t(last));
  for (int step = 0; step < last; ++step) {
    double value = plan.floor + 2.0 * std::exp(-step / tau) + noise(rng);
    batch.points.push_back({trial, "val_loss", step, value, start + 10 + step * 50});
  }
  writer.submit(std::move(batch), {});
  store::FinishTrial end{.trial = trial,
                         .status = store::TrialStatus::kCompleted,
                         .exit_code = 0,
                         .signal = std::nullopt,
                         .stderr_tail = "",
                         .stop_reason = "",
                         .finished_ms = start + 20 + last * 50};
  if (plan.failed) {
    end.status = store::TrialStatus::kFailed;
    end.exit_code = 1;
    end.stderr_tail = "RuntimeError: CUDA out of memory\n";
  } else if (plan.stopped) {
    end.status = store::TrialStatus::kStopped;
    end.exit_code = std::nullopt;
    end.signal = 15;
    char reason[128];
    std::snprintf(reason, sizeof reason, "rung %d: val_loss is not in the top 1/3", last);
    end.stop_reason = reason;
  }
  writer.submit(std::move(end), {});
  return last;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--db")
      o.db = argv[i + 1];
    else if (flag == "--trials")
      o.trials = std::atoi(argv[i + 1]);
    else if (flag == "--points")
      o.points = std::atoll(argv[i + 1]);
    else if (flag == "--seed")
      o.seed = unsigned(std::atoi(argv[i + 1]));
    else
      o.db.clear();
  }
  if (o.db.empty() || o.trials < 1 || o.points < 1 || argc % 2 == 0) {
    std::fprintf(stderr,
                 "usage: dashboard-bench-db --db FILE [--trials T] [--points P] [--seed N]\n");
    std::exit(2);
  }
  return o;
}

int run(const Options& o) {
  std::filesystem::remove(o.db);
  auto writer = store::StoreWriter::open(o.db);
  if (!writer.is_ok()) {
    std::fprintf(stderr, "dashboard-bench-db: %s\n", writer.status().message().c_str());
    return 1;
  }
  store::StoreWriter& w = **writer;
  auto began = std::chrono::steady_clock::now();
  const int64_t t0 = 1'764'000'000'000;
  std::vector<store::AgentId> agents;
  for (int a = 0; a < 8; ++a) {
    std::string name = "gpu-node-" + std::to_string(a + 1);
    agents.push_back(must(w, store::RecordAgent{.name = name,
                                                .host = name + ".lab",
                                                .public_key = "",
                                                .gpus_json = "[]",
                                                .state = store::AgentState::kOffline,
                                                .seen_ms = t0}));
  }
  store::SweepId sweep = must(w, store::CreateSweep{"dashboard-bench", "random", std::string(kSpec),
                                                    "", int64_t(o.seed), t0});
  std::mt19937_64 rng(o.seed);
  int full_steps = 0;
  std::vector<Plan> plans = plan(o.trials, o.points, rng, full_steps);
  // Ids set aside at once, so that no trial waits for its own commit.
  store::TrialId first = must(w, store::ReserveTrialIds{o.trials});
  int64_t points = 0;
  for (int i = 0; i < o.trials; ++i) {
    store::TrialId trial{first.value + i};
    points += write_trial(w, sweep, trial, i, plans[size_t(i)], agents, t0, rng);
  }
  must(w.submit(store::SetSweepState{sweep, store::SweepState::kCompleted,
                                     t0 + o.trials * 600 + 60'000})
           .get());
  must(w.flush().get());
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf(
      "dashboard-bench-db: %d trials (%d steps when not stopped), %lld points in %s "
      "(%.1f s)\n",
      o.trials, full_steps, static_cast<long long>(points), o.db.c_str(), seconds);
  return 0;
}

}  // namespace
}  // namespace labsweep::bench

int main(int argc, char** argv) { return labsweep::bench::run(labsweep::bench::parse(argc, argv)); }
