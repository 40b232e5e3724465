#include "sweeps/value.h"

#include <algorithm>
#include <cmath>

namespace labsweep::sweeps {

std::string_view kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kInt:
      return "integer";
    case ValueKind::kFloat:
      return "number";
    case ValueKind::kString:
      return "string";
    case ValueKind::kList:
      return "list";
    case ValueKind::kMap:
      return "mapping";
  }
  return "unknown";
}

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : as_map()) {
    if (k == key) return &v;
  }
  return nullptr;
}

namespace {

bool maps_equal(const Map& a, const Map& b) {
  // Python dicts compare regardless of order; keys are unique within a map.
  if (a.size() != b.size()) return false;
  return std::all_of(a.begin(), a.end(), [&b](const auto& entry) {
    auto it =
        std::find_if(b.begin(), b.end(), [&](const auto& e) { return e.first == entry.first; });
    return it != b.end() && it->second == entry.second;
  });
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return a.as_bool() == b.as_bool();
    case ValueKind::kInt:
      return a.as_int() == b.as_int();
    case ValueKind::kFloat:
      return (a.as_float() == b.as_float() &&
              std::signbit(a.as_float()) == std::signbit(b.as_float())) ||
             (std::isnan(a.as_float()) && std::isnan(b.as_float()));
    case ValueKind::kString:
      return a.as_string() == b.as_string();
    case ValueKind::kList:
      return a.as_list() == b.as_list();
    case ValueKind::kMap:
      return maps_equal(a.as_map(), b.as_map());
  }
  return false;
}

}  // namespace labsweep::sweeps
