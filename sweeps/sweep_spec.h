#pragma once

// A sweep file after reading and validation: everything the search methods, the stopping rules
// and the command renderer need, and nothing of YAML.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sweeps/early_terminate.h"
#include "sweeps/labsweep_settings.h"
#include "sweeps/parameter.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

enum class Method { kGrid, kRandom, kBayes, kCustom };
std::string_view method_name(Method m);

enum class Goal { kMinimize, kMaximize };

struct Metric {
  std::string name;
  Goal goal = Goal::kMinimize;
  std::optional<double> target;
  std::string impute = "worst";                // bayes: latest, best or worst
  std::string impute_while_running = "false";  // bayes: latest, best, worst or "false"
};

struct SweepSpec {
  Method method = Method::kRandom;
  std::vector<Parameter> parameters;  // flattened, sorted at every level
  std::optional<Metric> metric;
  std::optional<Hyperband> early_terminate;
  List command;  // the elements as written; W&B's default when the file has none
  std::optional<std::string> program;
  std::optional<int64_t> run_cap;
  std::string name;
  std::string description;
  std::string project;
  std::string entity;
  LabsweepSettings labsweep;
};

}  // namespace labsweep::sweeps
