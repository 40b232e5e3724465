#include "orchestrator/points_json.h"

#include <charconv>
#include <cmath>
#include <string_view>

namespace labsweep::orchestrator {
namespace {

void append_integer(std::string& out, int64_t value) {
  char text[24];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  out.append(text, end);
}

}  // namespace

void append_metric_value_json(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    out += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  char text[32];
  auto [end, error] = std::to_chars(text, text + sizeof text, value);
  const std::string_view written(text, static_cast<size_t>(end - text));
  out += written;
  // A whole number would read back as an integer: 2.0, not 2, as nlohmann::json writes it.
  if (written.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_points_json(std::string& out, std::span<const store::MetricPoint> points) {
  out += '[';
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    append_integer(out, points[i].step);
    out += ',';
    append_metric_value_json(out, points[i].value);
    out += ',';
    append_integer(out, points[i].time_ms);
    out += ']';
  }
  out += ']';
}

void append_point_columns_json(std::string& out, std::span<const store::MetricPoint> points) {
  out += "\"steps\":[";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ',';
    append_integer(out, points[i].step);
  }
  out += "],\"values\":[";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ',';
    append_metric_value_json(out, points[i].value);
  }
  out += "],\"times\":[";
  for (size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ',';
    append_integer(out, points[i].time_ms);
  }
  out += ']';
}

}  // namespace labsweep::orchestrator
