// bench-curves: search quality on recorded learning curves (docs/benchmarks.md, "bench-curves").
//
// Replays sweeps over bench/data/fashion_curves.csv (bench/record_curves made it) with the same
// search methods and stopping rules the orchestrator uses, 100 seeds per method, and reports the
// test accuracy of the best trial found against the epochs spent; then runs Optuna over the same
// table (bench/optuna_curves.py) and compares. The last line is one JSON object.

#include <stdio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bench/curve_replay.h"
#include "bench/curve_sweeps.h"
#include "bench/curve_table.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::bench {
namespace {

using nlohmann::json;

struct Options {
  std::string table = LABSWEEP_SOURCE_DIR "/bench/data/fashion_curves.csv";
  std::string optuna_script = LABSWEEP_SOURCE_DIR "/bench/optuna_curves.py";
  bool optuna = true;
  int workers = 4;
  // The methods differ by a tenth of a point or two; over 20 seeds the standard error of a
  // difference is about a quarter of a point, over 100 about a tenth.
  int seeds = 100;
  std::vector<int64_t> budgets = {100, 300, 1000, 3000};
};

// One method's figures over the seeds, at each budget.
struct MethodFigures {
  std::string name;
  std::string unavailable;  // why it could not run; empty when it ran
  int workers = 0;
  std::vector<double> test_mean, test_std, val_mean;
  std::vector<int> seeds_with_result;  // seeds that had a finished trial at the budget
  std::vector<double> curve;           // mean test accuracy after k epochs; NaN until all seeds
  double seconds = 0;
  int64_t trials = 0;
};

std::pair<double, double> mean_std(const std::vector<double>& xs) {
  if (xs.empty()) return {NAN, NAN};
  double mean = 0, var = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(xs.size());
  for (double x : xs) var += (x - mean) * (x - mean);
  return {mean, xs.size() > 1 ? std::sqrt(var / static_cast<double>(xs.size() - 1)) : 0.0};
}

// Adds one replay's best test accuracy after each number of epochs to `sum` (NaN while none).
void add_curve(const ReplayResult& r, std::vector<double>& sum) {
  size_t next = 0;
  double current = NAN;
  for (size_t k = 0; k < sum.size(); ++k) {
    while (next < r.best.size() && r.best[next].epochs_spent <= static_cast<int64_t>(k))
      current = r.best[next++].test_accuracy;
    sum[k] += current;
  }
}

void summarise(const std::vector<ReplayResult>& runs, const Options& o, MethodFigures& f) {
  for (int64_t budget : o.budgets) {
    std::vector<double> test, val;
    for (const ReplayResult& r : runs) {
      if (const BestSoFar* best = best_at(r, budget)) {
        test.push_back(best->test_accuracy);
        val.push_back(best->val_accuracy);
      }
    }
    auto [tm, ts] = mean_std(test);
    f.test_mean.push_back(tm);
    f.test_std.push_back(ts);
    f.val_mean.push_back(mean_std(val).first);
    f.seeds_with_result.push_back(static_cast<int>(test.size()));
  }
  f.curve.assign(static_cast<size_t>(o.budgets.back()) + 1, 0.0);
  for (const ReplayResult& r : runs) add_curve(r, f.curve);
  for (double& c : f.curve) c /= static_cast<double>(runs.size());
}

MethodFigures run_method(const CurveTable& table, const CurveMethod& method, const Options& o,
                         int workers) {
  MethodFigures f;
  f.name = method.name;
  f.workers = workers;
  sweeps::ReadResult read = sweeps::read_sweep(curve_sweep_yaml(table, method));
  if (!read.spec) {
    f.unavailable = "the sweep file does not read: " + read.diagnostics.all().front().message;
    return f;
  }
  std::vector<ReplayResult> runs;
  auto start = std::chrono::steady_clock::now();
  for (int seed = 0; seed < o.seeds; ++seed) {
    ReplayOptions options{
        .workers = workers, .budget_epochs = o.budgets.back(), .seed = static_cast<uint64_t>(seed)};
    Result<ReplayResult> r = replay(*read.spec, table, options);
    if (!r) {
      f.unavailable = r.status().message();
      return f;
    }
    f.trials += static_cast<int64_t>(r->trials.size());
    runs.push_back(std::move(*r));
  }
  f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summarise(runs, o, f);
  return f;
}

// The fewest epochs after which the mean best test accuracy reaches `target`.
std::optional<int64_t> epochs_to_reach(const std::vector<double>& curve, double target) {
  for (size_t k = 0; k < curve.size(); ++k) {
    if (!std::isnan(curve[k]) && curve[k] >= target) return static_cast<int64_t>(k);
  }
  return std::nullopt;
}

json number_or_null(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

json series(const std::vector<double>& xs) {
  json out = json::array();
  for (double x : xs) out.push_back(number_or_null(x));
  return out;
}

std::string cell(double mean, double sd, int n, int seeds) {
  if (std::isnan(mean)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f%% ±%.2f%s", 100 * mean, 100 * sd,
                n < seeds ? ("(" + std::to_string(n) + ")").c_str() : "");
  return buf;
}

void print_header(const Options& o, const std::string& title) {
  std::printf("\n  %s\n  %-24s", title.c_str(), "method");
  for (int64_t b : o.budgets) std::printf("  %18s", (std::to_string(b) + " epochs").c_str());
  std::printf("  %16s  %8s\n", "epochs to target", "replay s");
}

void print_row(const MethodFigures& f, const Options& o, double target) {
  std::printf("  %-24s", f.name.c_str());
  if (!f.unavailable.empty()) {
    std::printf("  unavailable: %s\n", f.unavailable.c_str());
    return;
  }
  for (size_t i = 0; i < o.budgets.size(); ++i)
    std::printf("  %18s",
                cell(f.test_mean[i], f.test_std[i], f.seeds_with_result[i], o.seeds).c_str());
  std::optional<int64_t> k = epochs_to_reach(f.curve, target);
  std::printf("  %16s  %8.3f\n", k ? std::to_string(*k).c_str() : "not reached", f.seconds);
}

// Runs bench/optuna_curves.py over the same table; nullopt (with a note) when it cannot.
std::optional<json> run_optuna(const Options& o, double target) {
  std::string budgets;
  for (int64_t b : o.budgets) budgets += (budgets.empty() ? "" : ",") + std::to_string(b);
  // The script's own interpreter line names the Python that has Debian's python3-optuna.
  std::string command = "'" + o.optuna_script + "' --table '" + o.table + "' --budgets " + budgets +
                        " --seeds " + std::to_string(o.seeds) + " --target " +
                        std::to_string(target) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string output, last;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  int rc = pclose(pipe);
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!last.empty()) std::printf("  %s\n", last.c_str());
    last = line;
  }
  json parsed = json::parse(last, nullptr, false);
  if (rc != 0 || parsed.is_discarded() || !parsed.contains("methods")) {
    std::printf("  optuna: skipped (%s)\n", last.c_str());
    return std::nullopt;
  }
  return parsed;
}

std::vector<MethodFigures> run_all(const CurveTable& table, const Options& o, int workers) {
  std::vector<MethodFigures> out;
  for (const CurveMethod& m : curve_methods(table.epochs()))
    out.push_back(run_method(table, m, o, workers));
  return out;
}

const MethodFigures& named(const std::vector<MethodFigures>& all, const std::string& name) {
  return *std::find_if(all.begin(), all.end(), [&](const auto& f) { return f.name == name; });
}

json method_json(const std::vector<MethodFigures>& all, double target) {
  json out = json::object();
  for (const MethodFigures& f : all) {
    if (!f.unavailable.empty()) continue;
    std::optional<int64_t> k = epochs_to_reach(f.curve, target);
    out[f.name] = {{"test_mean", series(f.test_mean)},
                   {"test_std", series(f.test_std)},
                   {"val_mean", series(f.val_mean)},
                   {"epochs_to_random_final", k ? json(*k) : json(nullptr)},
                   {"trials", f.trials},
                   {"replay_s", f.seconds}};
  }
  return out;
}

// Per budget: labsweep's best method (one worker, as Optuna runs) minus Optuna's best.
json best_vs_optuna(const std::vector<MethodFigures>& ours, const json& optuna, size_t budgets) {
  json out = json::array();
  for (size_t i = 0; i < budgets; ++i) {
    double mine = NAN, theirs = NAN;
    for (const MethodFigures& f : ours) {
      if (f.unavailable.empty() && !std::isnan(f.test_mean[i]) &&
          (std::isnan(mine) || f.test_mean[i] > mine))
        mine = f.test_mean[i];
    }
    for (const auto& [name, m] : optuna["methods"].items()) {
      if (m["test_mean"][i].is_number() &&
          (std::isnan(theirs) || m["test_mean"][i].get<double>() > theirs))
        theirs = m["test_mean"][i].get<double>();
    }
    out.push_back(number_or_null(mine - theirs));
  }
  return out;
}

void print_table(const std::vector<MethodFigures>& all, const Options& o, double target,
                 const std::string& title) {
  print_header(o, title);
  for (const MethodFigures& f : all) print_row(f, o, target);
}

void print_table_summary(const CurveTable& table) {
  const RecordedConfig* best_val = nullptr;
  double best_test = 0;
  for (const RecordedConfig& c : table.configs()) {
    if (!best_val || c.epochs.back().val_accuracy > best_val->epochs.back().val_accuracy)
      best_val = &c;
    best_test = std::max(best_test, c.test_accuracy);
  }
  std::printf(
      "  table: %zu configurations x %d epochs; best by final val_accuracy: val %.2f%%, "
      "test %.2f%%; best test of any: %.2f%%\n",
      table.configs().size(), table.epochs(), 100 * best_val->epochs.back().val_accuracy,
      100 * best_val->test_accuracy, 100 * best_test);
}

Result<Options> parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      std::string prefix = std::string(flag) + "=";
      if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
      return std::nullopt;
    };
    if (auto v = value("--table")) {
      o.table = *v;
    } else if (auto v = value("--optuna-script")) {
      o.optuna_script = *v;
    } else if (arg == "--no-optuna") {
      o.optuna = false;
    } else if (auto v = value("--workers")) {
      o.workers = std::max(1, std::atoi(v->c_str()));
    } else if (auto v = value("--seeds")) {
      o.seeds = std::max(1, std::atoi(v->c_str()));
    } else if (auto v = value("--budgets")) {
      o.budgets.clear();
      std::istringstream in(*v);
      for (std::string b; std::getline(in, b, ',');) o.budgets.push_back(std::atoll(b.c_str()));
      std::sort(o.budgets.begin(), o.budgets.end());
      if (o.budgets.empty() || o.budgets.front() < 1) return invalid_argument("bad --budgets");
    } else {
      return invalid_argument(
          "usage: bench-curves [--table=CSV] [--workers=4] [--seeds=100] "
          "[--budgets=100,300,1000,3000] [--no-optuna] [--optuna-script=PY]");
    }
  }
  return o;
}

// random+asha's epochs to reach `target` over random's; null when either never does.
json epochs_ratio(const MethodFigures& random, const MethodFigures& asha, double target) {
  std::optional<int64_t> random_k = epochs_to_reach(random.curve, target);
  std::optional<int64_t> asha_k = epochs_to_reach(asha.curve, target);
  if (!random_k || !asha_k || *random_k == 0) return nullptr;
  return static_cast<double>(*asha_k) / static_cast<double>(*random_k);
}

json figures_of(const CurveTable& table, const Options& o,
                const std::vector<MethodFigures>& parallel,
                const std::vector<MethodFigures>& serial, double target) {
  const MethodFigures& random = named(parallel, "random");
  const MethodFigures& asha = named(parallel, "random+asha");
  const MethodFigures& asha3 = named(parallel, "random+asha-eta3");
  json figures = {{"table_configs", table.configs().size()},
                  {"table_epochs", table.epochs()},
                  {"workers", o.workers},
                  {"seeds", o.seeds},
                  {"budgets", o.budgets},
                  {"random_final_test", target},
                  {"methods", method_json(parallel, target)},
                  {"methods_1_worker", method_json(serial, target)},
                  {"asha_epochs_ratio", epochs_ratio(random, asha, target)},
                  // The top configurations' test accuracies lie within a few tenths of a point
                  // (a few dozen of the 10,000 test rows): the ratio to come within 0.1 of it.
                  {"asha_epochs_ratio_within_0_1pt", epochs_ratio(random, asha, target - 0.001)},
                  {"asha_eta3_epochs_ratio", epochs_ratio(random, asha3, target)},
                  {"replays_per_s", asha.seconds > 0 ? o.seeds / asha.seconds : 0.0}};
  figures["unavailable"] = json::array();
  for (const MethodFigures& f : parallel)
    if (!f.unavailable.empty()) figures["unavailable"].push_back(f.name);
  return figures;
}

void add_optuna(json& figures, const json& optuna, const std::vector<MethodFigures>& serial,
                size_t budgets) {
  for (const auto& [name, m] : optuna["methods"].items())
    figures["optuna_best_" + name] = m["test_mean"];
  figures["optuna_methods"] = optuna["methods"];
  figures["best_vs_optuna"] = best_vs_optuna(serial, optuna, budgets);
}

int run(const Options& o) {
  Result<CurveTable> table = CurveTable::load(o.table);
  if (!table) {
    std::fprintf(stderr, "bench-curves: %s\n", table.status().message().c_str());
    return 1;
  }
  print_table_summary(*table);
  auto start = std::chrono::steady_clock::now();
  std::vector<MethodFigures> parallel = run_all(*table, o, o.workers);
  std::vector<MethodFigures> serial = run_all(*table, o, 1);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const MethodFigures& random = named(parallel, "random");
  if (!random.unavailable.empty()) {
    std::fprintf(stderr, "bench-curves: random search: %s\n", random.unavailable.c_str());
    return 1;
  }
  double target = random.test_mean.back();
  std::printf(
      "  test accuracy of the best-by-val finished trial, mean ±sd over %d seeds ((n): seeds "
      "with a finished trial by then); target: random's final %.2f%%; replays took %.1f s\n",
      o.seeds, 100 * target, seconds);
  print_table(parallel, o, target, std::to_string(o.workers) + " workers");
  print_table(serial, o, target, "1 worker (as Optuna runs)");
  json figures = figures_of(*table, o, parallel, serial, target);
  std::printf("\n  asha_epochs_ratio (random+asha's epochs to random's final / random's): %s\n",
              figures["asha_epochs_ratio"].dump().c_str());
  std::printf("  asha_eta3_epochs_ratio (the same with eta 3): %s\n",
              figures["asha_eta3_epochs_ratio"].dump().c_str());
  std::optional<json> optuna = o.optuna ? run_optuna(o, target) : std::nullopt;
  if (!o.optuna) std::printf("  optuna: skipped (--no-optuna)\n");
  if (optuna) {
    add_optuna(figures, *optuna, serial, o.budgets.size());
    std::printf("  best_vs_optuna (labsweep's best method minus Optuna's best, points): ");
    for (const json& d : figures["best_vs_optuna"])
      std::printf(d.is_number() ? "%+.2f " : "- ", d.is_number() ? 100 * d.get<double>() : 0.0);
    std::printf("\n");
  }
  std::cout << figures.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace labsweep::bench

int main(int argc, char** argv) {
  labsweep::Result<labsweep::bench::Options> options = labsweep::bench::parse_options(argc, argv);
  if (!options) {
    std::fprintf(stderr, "%s\n", options.status().message().c_str());
    return 2;
  }
  return labsweep::bench::run(*options);
}
