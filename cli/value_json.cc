#include "cli/value_json.h"

#include <cmath>

#include "sweeps/python_format.h"

namespace labsweep::cli {

nlohmann::ordered_json to_json(const sweeps::Value& value) {
  using sweeps::ValueKind;
  switch (value.kind()) {
    case ValueKind::kNull:
      return nullptr;
    case ValueKind::kBool:
      return value.as_bool();
    case ValueKind::kInt:
      return value.as_int();
    case ValueKind::kFloat:
      if (!std::isfinite(value.as_float())) return sweeps::python_float_repr(value.as_float());
      return value.as_float();
    case ValueKind::kString:
      return value.as_string();
    case ValueKind::kList: {
      auto out = nlohmann::ordered_json::array();
      for (const auto& item : value.as_list()) out.push_back(to_json(item));
      return out;
    }
    case ValueKind::kMap: {
      auto out = nlohmann::ordered_json::object();
      for (const auto& [k, v] : value.as_map()) out[k] = to_json(v);
      return out;
    }
  }
  return nullptr;
}

}  // namespace labsweep::cli
