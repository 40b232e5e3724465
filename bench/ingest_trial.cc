// ingest-bench-trial: a trial for bench-ingest that reports metric points as fast as it can
// through the C++ client (clients/cpp/labsweep.hpp). Flags, as the sweep's ${args} renders them:
//   --steps=N    steps to report (default 1000)
//   --metrics=M  metrics per step, named m0 ... m{M-1} (default 10)
// Any other flag (the grid's trial index) is ignored. Prints how long the reports took to send
// to stdout (stdout.log in the trial directory) and exits 0 after the last report; the agent
// reads the socket until the trial's processes have exited.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "clients/cpp/labsweep.hpp"

namespace {

bool flag_value(std::string_view arg, std::string_view name, int64_t& out) {
  if (arg.substr(0, name.size()) != name) return false;
  out = std::strtoll(std::string(arg.substr(name.size())).c_str(), nullptr, 10);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t steps = 1000;
  int64_t metrics = 10;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (flag_value(arg, "--steps=", steps) || flag_value(arg, "--metrics=", metrics)) continue;
  }
  if (steps < 0 || metrics < 1) {
    std::fprintf(stderr, "ingest-bench-trial: bad --steps or --metrics\n");
    return 2;
  }
  std::vector<std::string> names;
  for (int64_t m = 0; m < metrics; ++m) names.push_back("m" + std::to_string(m));
  auto start = std::chrono::steady_clock::now();
  try {
    labsweep_client::Trial& trial = labsweep_client::default_trial();
    for (int64_t step = 0; step < steps; ++step) {
      labsweep_client::Report report(step);
      for (int64_t m = 0; m < metrics; ++m) {
        report.add(names[static_cast<size_t>(m)], 1.0 / static_cast<double>(step + m + 1));
      }
      trial.report(report);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ingest-bench-trial: %s\n", e.what());
    return 1;
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("sent %lld points in %.6f s\n", static_cast<long long>(steps * metrics), seconds);
  return 0;
}
