// bench-importance: what parameter importance (GET /sweeps/{id}/importance) costs at the
// dashboard's scale. Part 1 times the computation alone (sweeps/analysis/) for 1,000 and 10,000
// trials of an 8-parameter sweep, beside the peer measured in the same run: the Spearman
// correlations alone, the cheapest honest summary. Part 2 times the endpoint through a real
// store and server: the first request (reads every trial and computes), a repeat (the cached
// answer), and the trials page of 10,000 the sweep page reads anyway.
//
// Last line: {"bench": "importance", "compute_10000x8_ms": ..., "endpoint_cold_ms": ..., ...}

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "orchestrator/http_api.h"
#include "orchestrator/sweep_control.h"
#include "orchestrator/trial_config.h"
#include "store/store_writer.h"
#include "store/write_ops.h"
#include "sweeps/analysis/parameter_feature.h"
#include "sweeps/analysis/parameter_importance.h"
#include "sweeps/analysis/rank_correlation.h"
#include "sweeps/search/search_method.h"
#include "sweeps/sweep_reader.h"

namespace {

namespace analysis = labsweep::sweeps::analysis;
namespace store = labsweep::store;
using Clock = std::chrono::steady_clock;
using labsweep::sweeps::SweepSpec;
using labsweep::sweeps::Value;

const std::string kSpec =
    "method: random\nprogram: train.py\nmetric: {name: loss, goal: minimize}\nparameters:\n"
    "  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 0.1}\n"
    "  momentum: {distribution: uniform, min: 0.0, max: 0.99}\n"
    "  width: {distribution: q_log_uniform_values, min: 16, max: 1024, q: 16}\n"
    "  depth: {min: 1, max: 8}\n"
    "  activation: {values: [relu, gelu, tanh]}\n"
    "  dropout: {distribution: uniform, min: 0.0, max: 0.5}\n"
    "  wd: {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2}\n"
    "  warmup: {min: 0, max: 1000}\n";

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

SweepSpec spec_or_die() {
  labsweep::sweeps::ReadResult read = labsweep::sweeps::read_sweep(kSpec);
  if (!read.spec) {
    std::fprintf(stderr, "bench-importance: the benchmark sweep is invalid\n");
    std::exit(1);
  }
  return *read.spec;
}

// A loss that depends on lr strongly (a bowl in log lr), on activation and dropout weakly.
double loss_of(const std::vector<Value>& v) {
  const double log_lr = std::log10(v[3].as_number());  // parameters are sorted by name
  const double act = v[0].as_string() == "gelu" ? -0.1 : 0.0;
  return (log_lr + 3) * (log_lr + 3) + act + 0.3 * v[2].as_number();
}

std::vector<labsweep::sweeps::Suggestion> suggestions(const SweepSpec& spec, size_t n) {
  auto method = labsweep::sweeps::make_search_method(spec, 42);
  std::vector<labsweep::sweeps::Suggestion> out;
  while (out.size() < n) out.push_back(*(*method)->next());
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The Spearman correlations alone, as the peer.
double correlations_only(const SweepSpec& spec, const std::vector<analysis::TrialSample>& t) {
  double checksum = 0;
  std::vector<double> y;
  for (const auto& s : t) y.push_back(s.objective);
  for (size_t j = 0; j < spec.parameters.size(); ++j) {
    analysis::ParameterFeature feature(spec.parameters[j]);
    std::vector<double> x;
    for (const auto& s : t) x.push_back(feature.encode(s.values[j]));
    checksum += analysis::spearman_correlation(x, y).value_or(0);
  }
  return checksum;
}

struct ComputeFigures {
  double forest_ms, forest_cpu_ms, correlations_ms, top_share, explained;
  std::string top;
};

ComputeFigures time_compute(const SweepSpec& spec, size_t n) {
  std::vector<analysis::TrialSample> samples;
  for (auto& s : suggestions(spec, n)) samples.push_back({s.values, loss_of(s.values)});
  std::vector<double> forest, forest_cpu, peer;
  analysis::ImportanceReport report;
  for (int r = 0; r < 5; ++r) {
    auto start = Clock::now();
    const std::clock_t cpu = std::clock();
    report = analysis::parameter_importance(spec.parameters, samples);
    forest.push_back(ms_since(start));
    // CPU time too: on a loaded machine the wall time counts other processes' turns.
    forest_cpu.push_back(1000.0 * static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC);
    start = Clock::now();
    volatile double sink = correlations_only(spec, samples);
    (void)sink;
    peer.push_back(ms_since(start));
  }
  return {median(forest),
          median(forest_cpu),
          median(peer),
          report.parameters[0].importance,
          report.explained.value_or(0),
          report.parameters[0].name};
}

// Answers nothing: the bench only reads.
class ReadOnlyControl final : public labsweep::orchestrator::SweepControl {
 public:
  labsweep::Result<labsweep::orchestrator::SubmitResult> submit_sweep(
      labsweep::orchestrator::SweepSubmission) override {
    return labsweep::Status(labsweep::StatusCode::kFailedPrecondition, "read-only");
  }
  labsweep::Status stop_sweep(store::SweepId) override { return {}; }
  labsweep::Status resume_sweep(store::SweepId) override { return {}; }
  labsweep::Status stop_trial(store::TrialId) override { return {}; }
  std::vector<labsweep::orchestrator::LiveAgent> agents() override { return {}; }
};

// 10,000 finished trials of the sweep, 20 points of loss each, through the store's writer.
store::SweepId fill_store(store::StoreWriter& writer, const SweepSpec& spec, size_t n) {
  store::SweepId sweep = *writer
                              .submit(store::CreateSweep{.name = "bench",
                                                         .method = "random",
                                                         .spec_text = kSpec,
                                                         .seed = 42,
                                                         .created_ms = 1})
                              .get();
  int64_t index = 0;
  for (const auto& s : suggestions(spec, n)) {
    store::TrialId trial =
        *writer
             .submit(store::AddTrial{.sweep = sweep,
                                     .suggestion_index = index++,
                                     .params_json = labsweep::orchestrator::params_json(spec, s),
                                     .created_ms = 2})
             .get();
    store::AddMetricPoints points;
    for (int step = 0; step < 20; ++step) {
      points.points.push_back({.trial = trial,
                               .key = "loss",
                               .step = step,
                               .value = loss_of(s.values) + 1.0 / (step + 1),
                               .time_ms = 3 + step});
    }
    (void)writer.submit(std::move(points)).get();
    (void)writer.submit(store::FinishTrial{.trial = trial, .finished_ms = 30}).get();
  }
  return sweep;
}

}  // namespace

int main() {
  const SweepSpec spec = spec_or_die();
  std::printf("%-8s %12s %14s %16s %10s %10s %s\n", "trials", "forest_ms", "forest_cpu_ms",
              "correlations_ms", "top_share", "oob_r2", "top");
  ComputeFigures small = time_compute(spec, 1000);
  ComputeFigures large = time_compute(spec, 10000);
  for (auto [n, f] : {std::pair{1000, small}, std::pair{10000, large}}) {
    std::printf("%-8d %12.1f %14.1f %16.2f %10.3f %10.3f %s\n", n, f.forest_ms, f.forest_cpu_ms,
                f.correlations_ms, f.top_share, f.explained, f.top.c_str());
  }

  auto dir =
      std::filesystem::temp_directory_path() / ("bench-importance-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto writer = store::StoreWriter::open(dir / "labsweep.db");
  store::SweepId sweep = fill_store(**writer, spec, 10000);
  ReadOnlyControl control;
  labsweep::orchestrator::HttpApi api(dir / "labsweep.db", control);
  int port = *api.start("127.0.0.1", 0);
  httplib::Client client("127.0.0.1", port);
  const std::string base = "/api/v1/sweeps/" + std::to_string(sweep.value);
  auto time_get = [&](const std::string& path) {
    auto start = Clock::now();
    auto result = client.Get(path.c_str());
    double ms = ms_since(start);
    if (!result || result->status != 200) std::fprintf(stderr, "GET %s failed\n", path.c_str());
    return ms;
  };
  const double cold = time_get(base + "/importance");
  std::vector<double> warm, page;
  for (int r = 0; r < 5; ++r) warm.push_back(time_get(base + "/importance"));
  for (int r = 0; r < 3; ++r) page.push_back(time_get(base + "/trials?limit=10000"));
  std::printf("\nendpoint, 10000 finished trials x 8 parameters:\n");
  std::printf("  first request (read + compute)  %8.1f ms\n", cold);
  std::printf("  repeat (cached)                 %8.2f ms\n", median(warm));
  std::printf("  peer: GET trials?limit=10000    %8.1f ms\n", median(page));
  std::filesystem::remove_all(dir);
  std::printf(
      "{\"bench\": \"importance\", \"compute_1000x8_ms\": %.2f, \"compute_10000x8_ms\": %.2f, "
      "\"compute_10000x8_cpu_ms\": %.2f, "
      "\"correlations_10000x8_ms\": %.2f, \"endpoint_cold_ms\": %.2f, \"endpoint_cached_ms\": "
      "%.3f, \"trials_page_10000_ms\": %.2f}\n",
      small.forest_ms, large.forest_ms, large.forest_cpu_ms, large.correlations_ms, cold,
      median(warm), median(page));
}
