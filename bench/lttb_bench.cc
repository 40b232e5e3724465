// bench-lttb: the cost of downsampling learning curves on the server (docs/http-api.md,
// "max_points"). A store with one sweep of T trials of N points of one metric (a random walk,
// fixed seed), served by the real HTTP API on 127.0.0.1; then:
// - LTTB alone (orchestrator/lttb.h) on the T series, in memory, to P points each;
// - GET /api/v1/metrics for all T trials with max_points=P (what the dashboard asks), and the
//   same request without max_points (every point: the peer, measured in the same run).
// Each figure is the median of R runs.
//
// Flags (all optional): --trials=T (1000) --points=N (1000) --max-points=P (800) --runs=R (7)
// Last line: {"bench": "lttb", "lttb_ms": ..., "request_downsampled_ms": ...,
//             "request_full_ms": ..., "downsampled_bytes": ..., "full_bytes": ..., ...}

#include <httplib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/http_api.h"
#include "orchestrator/lttb.h"
#include "orchestrator/sweep_control.h"
#include "store/store_writer.h"
#include "store/write_ops.h"

namespace {

namespace fs = std::filesystem;
using labsweep::Result;
using labsweep::Status;
namespace orchestrator = labsweep::orchestrator;
namespace store = labsweep::store;

struct Flags {
  int trials = 1000;
  int points = 1000;
  int max_points = 800;
  int runs = 7;
};

Flags read_flags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> int {
      return std::atoi(std::string(arg.substr(name.size())).c_str());
    };
    if (arg.starts_with("--trials="))
      flags.trials = value("--trials=");
    else if (arg.starts_with("--points="))
      flags.points = value("--points=");
    else if (arg.starts_with("--max-points="))
      flags.max_points = value("--max-points=");
    else if (arg.starts_with("--runs="))
      flags.runs = value("--runs=");
    else {
      std::fprintf(stderr, "bench-lttb: unknown flag %s\n", argv[i]);
      std::exit(2);
    }
  }
  return flags;
}

// The API only reads here.
class NoControl final : public orchestrator::SweepControl {
 public:
  Result<orchestrator::SubmitResult> submit_sweep(orchestrator::SweepSubmission) override {
    return labsweep::invalid_argument("read-only");
  }
  Status stop_sweep(store::SweepId) override { return {}; }
  Status resume_sweep(store::SweepId) override { return {}; }
  Status stop_trial(store::TrialId) override { return {}; }
  std::vector<orchestrator::LiveAgent> agents() override { return {}; }
};

template <typename T>
T must(Result<T> result, const char* what) {
  if (!result) {
    std::fprintf(stderr, "bench-lttb: %s: %s\n", what, result.status().message().c_str());
    std::exit(1);
  }
  return std::move(*result);
}

// One sweep of random-walk series; the series are returned too, for LTTB alone.
std::vector<std::vector<store::MetricPoint>> fill_store(store::StoreWriter& writer,
                                                        const Flags& flags,
                                                        std::vector<int64_t>& trial_ids) {
  store::SweepId sweep = must(writer
                                  .submit(store::CreateSweep{.name = "bench",
                                                             .method = "random",
                                                             .spec_text = "method: random\n",
                                                             .seed = 1,
                                                             .created_ms = 1})
                                  .get(),
                              "create sweep");
  std::mt19937 random(20131201);
  std::normal_distribution<double> noise(0, 0.01);
  std::vector<std::vector<store::MetricPoint>> all;
  for (int t = 0; t < flags.trials; ++t) {
    store::TrialId trial =
        must(writer
                 .submit(store::AddTrial{
                     .sweep = sweep, .suggestion_index = t, .params_json = "{}", .created_ms = 2})
                 .get(),
             "add trial");
    trial_ids.push_back(trial.value);
    store::AddMetricPoints op;
    std::vector<store::MetricPoint>& series = all.emplace_back();
    double loss = 2.3;
    for (int step = 0; step < flags.points; ++step) {
      loss = std::max(0.0, loss * 0.997 + noise(random));
      const int64_t time_ms = 1'764'495'600'000 + step * 250;
      op.points.push_back(
          {.trial = trial, .key = "loss", .step = step, .value = loss, .time_ms = time_ms});
      series.push_back({.step = step, .value = loss, .time_ms = time_ms});
    }
    must(writer.submit(std::move(op)).get(), "add points");
  }
  return all;
}

template <typename F>
double median_ms(int runs, F&& run) {
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = read_flags(argc, argv);
  const fs::path dir = fs::temp_directory_path() / ("bench-lttb-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<int64_t> ids;
  std::vector<std::vector<store::MetricPoint>> series;
  {
    auto writer = must(store::StoreWriter::open(dir / "labsweep.db"), "open store");
    series = fill_store(*writer, flags, ids);
  }

  size_t kept = 0;
  const double lttb_ms = median_ms(flags.runs, [&] {
    kept = 0;
    for (const auto& one : series) {
      kept += orchestrator::lttb_downsample(one, flags.max_points, orchestrator::SeriesAxis::kStep)
                  .size();
    }
  });

  NoControl control;
  orchestrator::HttpApi api(dir / "labsweep.db", control);
  const int port = must(api.start("127.0.0.1", 0), "start api");
  httplib::Client client("127.0.0.1", port);
  std::string path = "/api/v1/metrics?key=loss&trials=";
  for (size_t i = 0; i < ids.size(); ++i) path += (i ? "," : "") + std::to_string(ids[i]);
  size_t bytes_down = 0, bytes_full = 0;
  auto fetch = [&](const std::string& url, size_t& bytes) {
    httplib::Result result = client.Get(url.c_str());
    if (!result || result->status != 200) {
      std::fprintf(stderr, "bench-lttb: GET failed\n");
      std::exit(1);
    }
    bytes = result->body.size();
  };
  const std::string down_path = path + "&max_points=" + std::to_string(flags.max_points);
  const double down_ms = median_ms(flags.runs, [&] { fetch(down_path, bytes_down); });
  const double full_ms = median_ms(flags.runs, [&] { fetch(path, bytes_full); });
  api.stop();
  fs::remove_all(dir);

  std::printf("%-44s %10s %12s\n", "what", "median ms", "bytes");
  std::printf("%-44s %10.1f %12s\n", "LTTB alone, all series", lttb_ms, "-");
  std::printf("%-44s %10.1f %12zu\n", "GET /metrics, max_points (downsampled)", down_ms,
              bytes_down);
  std::printf("%-44s %10.1f %12zu\n", "GET /metrics, every point (peer)", full_ms, bytes_full);
  std::printf("(%d trials x %d points -> %d points each; %zu points kept; median of %d runs)\n",
              flags.trials, flags.points, flags.max_points, kept, flags.runs);
  std::printf(
      "{\"bench\": \"lttb\", \"lttb_ms\": %.2f, \"request_downsampled_ms\": %.1f, "
      "\"request_full_ms\": %.1f, \"downsampled_bytes\": %zu, \"full_bytes\": %zu, \"trials\": "
      "%d, \"points\": %d, \"max_points\": %d}\n",
      lttb_ms, down_ms, full_ms, bytes_down, bytes_full, flags.trials, flags.points,
      flags.max_points);
  return 0;
}
