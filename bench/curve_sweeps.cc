#include "bench/curve_sweeps.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>
#include <sstream>

namespace labsweep::bench {

std::vector<CurveMethod> curve_methods(int max_epoch) {
  // ASHA from 1 epoch to the last, at its defaults (eta 4, Ray Tune's cut-off) or with `more`.
  auto asha = [&](std::string more = "") {
    return "  early_stopping: [{type: asha, min_resource: 1, max_resource: " +
           std::to_string(max_epoch) + more + "}]\n";
  };
  // Optuna's SuccessiveHalvingPruner's rule, as the peer's tpe_sha runs it.
  const std::string optuna_rule = ", eta: 3, cutoff: rank";
  return {
      {"random", "method: random\n", "", ""},
      {"random+hyperband", "method: random\n",
       "early_terminate: {type: hyperband, min_iter: 1, eta: 3}\n", ""},
      {"random+asha", "method: random\n", "", asha()},
      {"random+asha-eta3", "method: random\n", "", asha(", eta: 3")},
      {"random+asha-rank", "method: random\n", "", asha(optuna_rule)},
      {"tpe+asha", "method: custom\n", "", "  search: tpe\n" + asha()},
      {"tpe+asha-rank", "method: custom\n", "", "  search: tpe\n" + asha(optuna_rule)},
      {"bayes", "method: bayes\n", "", ""},
  };
}

std::string yaml_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, end);
  if (s.find('.') == std::string::npos) {
    size_t e = s.find('e');
    s.insert(e == std::string::npos ? s.size() : e, ".0");
  }
  if (size_t e = s.find("e"); e != std::string::npos && s[e + 1] != '-' && s[e + 1] != '+')
    s.insert(e + 1, "+");
  return s;
}

std::string curve_sweep_yaml(const CurveTable& table, const CurveMethod& method,
                             const SweepAdditions& additions) {
  std::ostringstream out;
  out << additions.head << method.search;
  out << "metric: {name: val_accuracy, goal: maximize}\nparameters:\n";
  for (size_t a = 0; a < table.axes().size(); ++a) {
    std::set<double> values;
    for (const RecordedConfig& c : table.configs()) values.insert(c.values[a]);
    out << "  " << table.axes()[a] << ": {values: [";
    for (auto it = values.begin(); it != values.end(); ++it)
      out << (it == values.begin() ? "" : ", ") << yaml_number(*it);
    out << "]}\n";
  }
  out << method.early_terminate;
  std::string labsweep = method.labsweep + additions.labsweep;
  if (!labsweep.empty()) out << "labsweep:\n" << labsweep;
  return out.str();
}

}  // namespace labsweep::bench
