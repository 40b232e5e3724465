// bench-sweeps: how fast the sweep engine enumerates grids and draws random trials, and what
// memory that costs. The peer, measured in the same run, is an eager grid materialised as a
// list of points up front, which is what W&B's engine does (list(itertools.product(...))).
//
// Last line: {"bench": "sweeps", "grid_points_per_s": ..., "random_points_per_s": ...,
//             "peak_rss_mb": ..., "validate_1e8_grid_s": ..., ...}

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "sweeps/sampler.h"
#include "sweeps/search/grid_space.h"
#include "sweeps/sweep_reader.h"

namespace {

using Clock = std::chrono::steady_clock;
using labsweep::sweeps::GridSpace;
using labsweep::sweeps::SweepSpec;
using labsweep::sweeps::Value;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

SweepSpec read_or_die(const std::string& yaml) {
  labsweep::sweeps::ReadResult r = labsweep::sweeps::read_sweep(yaml);
  if (!r.spec) {
    std::fprintf(stderr, "bench-sweeps: a benchmark sweep is invalid\n");
    std::exit(1);
  }
  return *r.spec;
}

// A grid of 10^8 points: five parameters of mixed kinds (ints, floats, strings, a constant).
const std::string kGrid1e8 =
    "method: grid\nprogram: train.py\nparameters:\n"
    "  lr: {values: [0.1, 0.03, 0.01, 0.003, 0.001, 3.0e-4, 1.0e-4, 3.0e-5, 1.0e-5, 3.0e-6]}\n"
    "  width: {min: 1, max: 100}\n"
    "  depth: {min: 1, max: 100}\n"
    "  dropout: {distribution: q_uniform, min: 0.0, max: 1.0, q: 0.01}\n"
    "  activation: {values: [relu, gelu, tanh, silu, elu, selu, mish, swish, celu, none]}\n"
    "  seed: {value: 0}\n";

const std::string kRandom =
    "method: random\nprogram: train.py\nparameters:\n"
    "  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 0.1}\n"
    "  momentum: {distribution: uniform, min: 0.0, max: 0.99}\n"
    "  width: {distribution: q_log_uniform_values, min: 16, max: 1024, q: 16}\n"
    "  depth: {min: 1, max: 8}\n"
    "  activation: {values: [relu, gelu, tanh]}\n"
    "  noise: {distribution: normal, mu: 0, sigma: 0.1}\n"
    "  mix: {distribution: beta, a: 2, b: 5}\n";

// A number from every value, so that the compiler cannot skip the work that made them.
uint64_t touch(const std::vector<Value>& values) {
  uint64_t sum = 0;
  for (const Value& v : values) {
    sum += v.is_int()     ? static_cast<uint64_t>(v.as_int())
           : v.is_float() ? static_cast<uint64_t>(v.as_float() * 1e6)
                          : 1;
  }
  return sum;
}

// Enumerates `count` points of the grid, touching every value so the work cannot be skipped.
double enumerate(const GridSpace& space, uint64_t count, uint64_t stride) {
  std::vector<Value> point;
  uint64_t checksum = 0;
  auto start = Clock::now();
  for (uint64_t i = 0; i < count; ++i) {
    space.point((i * stride) % space.size(), point);
    checksum += touch(point);
  }
  double elapsed = seconds_since(start);
  if (checksum == 42) std::puts("");  // keeps the loop observable
  return elapsed;
}

double eager_peer(const GridSpace& space, uint64_t count, double& rss_growth_mb) {
  double before = peak_rss_mb();
  auto start = Clock::now();
  std::vector<std::vector<Value>> all;  // the whole grid in memory, as W&B's engine holds it
  all.reserve(count);
  for (uint64_t i = 0; i < count; ++i) all.push_back(space.point(i));
  double elapsed = seconds_since(start);
  rss_growth_mb = peak_rss_mb() - before;
  return elapsed;
}

}  // namespace

int main() {
  auto start = Clock::now();
  SweepSpec grid = read_or_die(kGrid1e8);
  GridSpace space(grid.parameters);
  double validate_s = seconds_since(start);

  const uint64_t kGridPoints = 20'000'000;
  double sequential_s = enumerate(space, kGridPoints, 1);
  double scattered_s = enumerate(space, kGridPoints, 7'919'993);  // jumps across the whole grid

  SweepSpec random = read_or_die(kRandom);
  const uint64_t kDraws = 2'000'000;
  auto draw_start = Clock::now();
  uint64_t sum = 0;
  for (uint64_t i = 0; i < kDraws; ++i) {
    sum += touch(labsweep::sweeps::sample_parameters(random.parameters, 1, i));
  }
  double random_s = seconds_since(draw_start);
  double lazy_rss = peak_rss_mb();

  const uint64_t kEagerPoints = 2'000'000;
  double eager_growth_mb = 0;
  double eager_s = eager_peer(space, kEagerPoints, eager_growth_mb);

  double grid_rate = static_cast<double>(kGridPoints) / sequential_s;
  double scattered_rate = static_cast<double>(kGridPoints) / scattered_s;
  double random_rate = static_cast<double>(kDraws) / random_s;
  double eager_rate = static_cast<double>(kEagerPoints) / eager_s;
  double eager_full_gb = eager_growth_mb / static_cast<double>(kEagerPoints) *
                         static_cast<double>(space.size()) / 1024.0;

  std::printf("sweep engine (grid of %llu points, 6 parameters; random over 7 distributions)\n\n",
              static_cast<unsigned long long>(space.size()));
  std::printf("  %-38s %14s %14s\n", "what", "points/s", "seconds");
  std::printf("  %-38s %14s %14.4f\n", "read + validate + size the 1e8 grid", "-", validate_s);
  std::printf("  %-38s %14.3g %14.3f\n", "grid, in order (lazy)", grid_rate, sequential_s);
  std::printf("  %-38s %14.3g %14.3f\n", "grid, random access (lazy)", scattered_rate, scattered_s);
  std::printf("  %-38s %14.3g %14.3f\n", "random search draws", random_rate, random_s);
  std::printf("  %-38s %14.3g %14.3f\n", "peer: eager grid (materialised)", eager_rate, eager_s);
  std::printf("\n  peak RSS after the lazy runs: %.1f MB\n", lazy_rss);
  std::printf("  peer's memory: %.0f MB for %llu points, so %.1f GB for the whole grid\n",
              eager_growth_mb, static_cast<unsigned long long>(kEagerPoints), eager_full_gb);
  if (sum == 42) std::puts("");
  std::printf(
      "{\"bench\": \"sweeps\", \"grid_points_per_s\": %.4g, \"grid_random_access_points_per_s\": "
      "%.4g, \"random_points_per_s\": %.4g, \"peak_rss_mb\": %.1f, \"validate_1e8_grid_s\": %.4g, "
      "\"peer_eager_grid_points_per_s\": %.4g, \"peer_eager_full_grid_gb\": %.3g}\n",
      grid_rate, scattered_rate, random_rate, lazy_rss, validate_s, eager_rate, eager_full_gb);
  return 0;
}
