// bench-suggest: what one suggestion costs the search methods that learn from results (tpe,
// bayes) once a sweep has 1,000 and 10,000 finished trials, against Optuna's TPESampler over the
// same space, measured in the same run (bench/optuna_suggest.py, Debian's python3-optuna). Random
// and sobol search, which learn nothing, are timed too for scale.
//
// Each method is filled as a live sweep fills it: N times next(), then observe() the trial
// finished with a synthetic loss of its parameters. Then each timed suggestion is next() plus
// observe() of its result, the same cycle as the peer's study.ask() + study.tell().
//
// Last line: {"bench": "suggest", "tpe_ms_1k": ..., "bayes_ms_1k": ..., "optuna_tpe_ms_1k": ...,
//             "tpe_ms_10k": ..., "bayes_ms_10k": ..., "tpe_speedup_vs_optuna": ..., ...}

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sweeps/search/search_method.h"
#include "sweeps/sweep_reader.h"

namespace {

namespace sw = labsweep::sweeps;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The space bench/optuna_suggest.py gives Optuna, distribution for distribution.
const std::string kParameters =
    "metric: {name: loss, goal: minimize}\n"
    "parameters:\n"
    "  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}\n"
    "  dropout: {distribution: uniform, min: 0.0, max: 0.5}\n"
    "  width: {distribution: int_uniform, min: 16, max: 512}\n"
    "  activation: {values: [relu, gelu, tanh, silu]}\n"
    "  batch_size: {distribution: q_uniform, min: 16, max: 256, q: 16}\n";

std::string sweep_file(const std::string& method) {
  std::string head = "program: train.py\n";
  if (method == "bayes") return head + "method: bayes\n" + kParameters;
  if (method == "random") return head + "method: random\n" + kParameters;
  return head + "method: random\nlabsweep: {search: " + method + "}\n" + kParameters;
}

// The synthetic loss (minimized), the same as optuna_suggest.py's objective().
double loss(const sw::SweepSpec& spec, const std::vector<sw::Value>& values) {
  static const std::map<std::string, double> kActivation = {
      {"relu", 0.0}, {"gelu", -0.1}, {"tanh", 0.3}, {"silu", 0.05}};
  std::map<std::string, const sw::Value*> by_name;
  for (size_t j = 0; j < spec.parameters.size(); ++j) {
    by_name[spec.parameters[j].name()] = &values[j];
  }
  double lr = by_name["lr"]->as_number();
  double dropout = by_name["dropout"]->as_number();
  double width = by_name["width"]->as_number();
  double batch = by_name["batch_size"]->as_number();
  return std::pow(std::log10(lr) + 3, 2) + 4 * std::pow(dropout - 0.2, 2) +
         0.1 * std::pow(std::log2(width) - 7, 2) +
         kActivation.at(by_name["activation"]->as_string()) + std::pow((batch - 128) / 256, 2);
}

struct Timing {
  std::string method;
  uint64_t trials = 0;
  std::string note;  // why there is no figure: empty when there is one
  double median_ms = 0;
  double p90_ms = 0;
  double fill_s = 0;
  size_t samples = 0;
};

// One suggestion and its result, as the orchestrator makes and reports it.
bool suggest_and_observe(const sw::SweepSpec& spec, sw::SearchMethod& method) {
  std::optional<sw::Suggestion> s = method.next();
  if (!s) return false;
  double value = loss(spec, s->values);
  method.observe(sw::TrialResult{.index = s->index,
                                 .values = std::move(s->values),
                                 .outcome = sw::TrialOutcome::kFinished,
                                 .best = value,
                                 .latest = value,
                                 .last_step = 0,
                                 .stopped_early = false});
  return true;
}

void time_suggestions(const sw::SweepSpec& spec, sw::SearchMethod& method, size_t samples,
                      double budget_s, Timing& t) {
  std::vector<double> ms;
  auto start = Clock::now();
  while (ms.size() < samples && (ms.size() < 5 || seconds_since(start) < budget_s)) {
    auto t0 = Clock::now();
    if (!suggest_and_observe(spec, method)) break;
    ms.push_back(1e3 * seconds_since(t0));
  }
  if (ms.empty()) {
    t.note = "made no suggestion";
    return;
  }
  std::sort(ms.begin(), ms.end());
  t.samples = ms.size();
  t.median_ms = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
  t.p90_ms = ms[std::min(ms.size() - 1, static_cast<size_t>(0.9 * static_cast<double>(ms.size())))];
}

void print_header() {
  std::printf(
      "labsweep: one suggestion (next() + observe()) after N finished trials, 5 parameters\n\n");
  std::printf("  %-8s %8s %10s %10s %8s %8s\n", "method", "trials", "median ms", "p90 ms", "timed",
              "fill s");
}

void print_row(const Timing& t) {
  if (!t.note.empty()) {
    std::printf("  %-8s %8llu   %s\n", t.method.c_str(), static_cast<unsigned long long>(t.trials),
                t.note.c_str());
  } else {
    std::printf("  %-8s %8llu %10.4f %10.4f %8zu %8.2f\n", t.method.c_str(),
                static_cast<unsigned long long>(t.trials), t.median_ms, t.p90_ms, t.samples,
                t.fill_s);
  }
  std::fflush(stdout);
}

struct Size {
  uint64_t trials;  // finished trials observed before the timed suggestions
  size_t samples;   // timed suggestions wanted
  double fill_s;    // the most filling up to `trials` may take before the figure is given up
  double timing_s;  // the most the timed suggestions may take (at least 5 are made)
};

// Times one method at each size in turn, on one sweep that grows from size to size: it is
// filled up to N observed trials, then timed (the timed trials count as observed ones too).
void measure(const std::string& name, const std::vector<Size>& sizes, std::vector<Timing>& out) {
  sw::ReadResult read = sw::read_sweep(sweep_file(name));
  if (!read.spec) {
    std::fprintf(stderr, "bench-suggest: the %s sweep file is invalid\n", name.c_str());
    std::exit(1);
  }
  auto method = sw::make_search_method(*read.spec, 1);
  std::string gave_up = method.is_ok() ? "" : "unavailable (not registered in this build)";
  uint64_t observed = 0;
  for (const Size& size : sizes) {
    Timing t;
    t.method = name;
    t.trials = size.trials;
    auto start = Clock::now();
    while (gave_up.empty() && observed < size.trials) {
      if (!suggest_and_observe(*read.spec, **method)) gave_up = "ran out of suggestions";
      ++observed;
      if (seconds_since(start) > size.fill_s) {
        gave_up = "gave up: filling took over " + std::to_string(static_cast<int>(size.fill_s)) +
                  " s (reached " + std::to_string(observed) + " trials)";
      }
    }
    if (gave_up.empty()) {
      t.fill_s = seconds_since(start);
      time_suggestions(*read.spec, **method, size.samples, size.timing_s, t);
      observed += t.samples;
    }
    if (!gave_up.empty()) t.note = gave_up;
    out.push_back(t);
    print_row(out.back());
  }
}

struct Peer {
  std::string note;  // why there is no figure: empty when there is one
  json figures;      // optuna_suggest.py's last line
};

// Runs bench/optuna_suggest.py with Debian's Python, echoing its table.
Peer run_optuna(const std::string& trials, const std::string& asks) {
  std::string script = std::string(LABSWEEP_SOURCE_DIR) + "/bench/optuna_suggest.py";
  std::string command =
      "/usr/bin/python3 " + script + " --trials " + trials + " --asks " + asks + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return Peer{"could not start /usr/bin/python3", {}};
  std::string line;
  std::string last;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) {
    line += buffer;
    if (line.empty() || line.back() != '\n') continue;
    std::printf("  %s", line.c_str());
    last = line;
    line.clear();
  }
  int status = pclose(pipe);
  json figures = json::parse(last, nullptr, /*allow_exceptions=*/false);
  if (status != 0 || !figures.is_object()) {
    return Peer{"optuna_suggest.py failed (is /usr/bin/python3 there?)", {}};
  }
  if (figures.contains("error")) return Peer{figures["error"].get<std::string>(), {}};
  return Peer{"", figures};
}

// Four significant digits: the machines' noise is larger than that.
json rounded(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return std::strtod(text, nullptr);
}

json figure(const std::vector<Timing>& timings, const std::string& method, uint64_t trials,
            bool p90 = false) {
  for (const Timing& t : timings) {
    if (t.method == method && t.trials == trials && t.note.empty()) {
      return rounded(p90 ? t.p90_ms : t.median_ms);
    }
  }
  return nullptr;
}

json peer_figure(const Peer& peer, const std::string& key) {
  if (!peer.figures.is_object() || !peer.figures.contains(key)) return nullptr;
  const json& v = peer.figures[key];
  return v.is_number() ? rounded(v.get<double>()) : json();
}

json speedup(const json& peer_ms, const json& ms) {
  if (!peer_ms.is_number() || !ms.is_number() || ms.get<double>() <= 0) return nullptr;
  return rounded(peer_ms.get<double>() / ms.get<double>());
}

}  // namespace

int main(int argc, char** argv) {
  // --quick: 1,000 trials only, fewer timed suggestions (a smoke run).
  bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  std::vector<Size> sizes = {{1000, quick ? 50u : 200u, 120, 20}};
  if (!quick) sizes.push_back({10000, 100, 300, 30});

  std::vector<Timing> timings;
  print_header();
  for (const char* method : {"tpe", "bayes", "random", "sobol"}) measure(method, sizes, timings);
  std::printf("\n");
  Peer peer = quick ? run_optuna("1000", "10") : run_optuna("1000,10000", "40,10");
  if (!peer.note.empty()) std::printf("  Optuna peer skipped: %s\n", peer.note.c_str());

  nlohmann::ordered_json out = {{"bench", "suggest"}};
  for (const Size& size : sizes) {
    std::string k = std::to_string(size.trials / 1000) + "k";
    for (const char* method : {"tpe", "bayes", "random", "sobol"}) {
      out[std::string(method) + "_ms_" + k] = figure(timings, method, size.trials);
      out[std::string(method) + "_p90_ms_" + k] = figure(timings, method, size.trials, true);
    }
    out["optuna_tpe_ms_" + k] = peer_figure(peer, "optuna_tpe_ms_" + k);
    out["optuna_tpe_p90_ms_" + k] = peer_figure(peer, "optuna_tpe_p90_ms_" + k);
  }
  out["tpe_speedup_vs_optuna"] = speedup(out["optuna_tpe_ms_1k"], out["tpe_ms_1k"]);
  out["bayes_speedup_vs_optuna"] = speedup(out["optuna_tpe_ms_1k"], out["bayes_ms_1k"]);
  std::printf("\n%s\n", out.dump().c_str());
  return 0;
}
