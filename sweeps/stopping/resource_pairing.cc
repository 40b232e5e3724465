#include "sweeps/stopping/resource_pairing.h"

#include <cmath>
#include <utility>

#include "sweeps/python_format.h"

namespace labsweep::sweeps {

ResourcePairing::ResourcePairing(std::string metric, std::string resource)
    : metric_(std::move(metric)), resource_(resource.empty() ? "step" : std::move(resource)) {}

std::vector<std::string> ResourcePairing::metrics() const {
  if (!named() || resource_ == metric_) return {metric_};
  return {metric_, resource_};
}

std::optional<Progress> ResourcePairing::pair(const Report& report) {
  if (!named()) {
    if (report.metric != metric_) return std::nullopt;
    return Progress{static_cast<double>(report.step), report.value};
  }
  if (report.metric == metric_ && report.metric == resource_)
    return Progress{report.value, report.value};
  Pending& pending = pending_[report.trial];
  if (report.metric == metric_) return match(report, pending.values, pending.resources, true);
  if (report.metric == resource_) return match(report, pending.resources, pending.values, false);
  return std::nullopt;
}

std::optional<Progress> ResourcePairing::match(const Report& report,
                                               std::map<int64_t, double>& mine,
                                               std::map<int64_t, double>& theirs, bool is_value) {
  auto partner = theirs.find(report.step);
  if (partner == theirs.end()) {
    mine.try_emplace(report.step, report.value);
    return std::nullopt;
  }
  double other = partner->second;
  theirs.erase(partner);
  if (is_value) return Progress{other, report.value};
  return Progress{report.value, other};
}

size_t ResourcePairing::waiting() const {
  size_t n = 0;
  for (const auto& [trial, pending] : pending_)
    n += pending.values.size() + pending.resources.size();
  return n;
}

std::string resource_text(double resource) {
  if (std::isfinite(resource) && resource == std::trunc(resource) && std::fabs(resource) < 1e15)
    return std::to_string(static_cast<int64_t>(resource));
  return python_float_repr(resource);
}

}  // namespace labsweep::sweeps
