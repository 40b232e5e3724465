#include "cli/api_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace labsweep::cli {
namespace {

std::string scalar_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return metric_text(value);
  return value.dump();
}

void flatten(const nlohmann::json& value, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (!value.is_object()) {
    out.emplace_back(prefix, scalar_text(value));
    return;
  }
  for (const auto& [key, child] : value.items()) {
    flatten(child, prefix.empty() ? key : prefix + "." + key, out);
  }
}

}  // namespace

std::string metric_text(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  if (!value.is_number()) return value.dump();
  if (value.is_number_integer()) return value.dump();
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value.get<double>());
  return text;
}

std::string time_text(const nlohmann::json& ms) {
  if (!ms.is_number_integer()) return "-";
  std::time_t seconds = static_cast<std::time_t>(ms.get<int64_t>() / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  return text;
}

std::string duration_text(const nlohmann::json& start_ms, const nlohmann::json& end_ms,
                          int64_t now_ms) {
  if (!start_ms.is_number_integer()) return "-";
  int64_t end = end_ms.is_number_integer() ? end_ms.get<int64_t>() : now_ms;
  int64_t ms = std::max<int64_t>(0, end - start_ms.get<int64_t>());
  int64_t seconds = ms / 1000;
  char text[32];
  if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.1fs", static_cast<double>(ms) / 1000);
  } else if (seconds < 60) {
    std::snprintf(text, sizeof text, "%llds", static_cast<long long>(seconds));
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(seconds / 60),
                  static_cast<long long>(seconds % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60));
  }
  return text;
}

std::vector<std::pair<std::string, std::string>> flat_params(const nlohmann::json& params) {
  std::vector<std::pair<std::string, std::string>> out;
  if (params.is_object()) flatten(params, "", out);
  return out;
}

std::string params_text(const nlohmann::json& params) {
  std::string text;
  for (const auto& [name, value] : flat_params(params)) {
    if (!text.empty()) text += ' ';
    text += name + "=" + value;
  }
  return text;
}

}  // namespace labsweep::cli
