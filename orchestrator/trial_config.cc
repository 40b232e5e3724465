#include "orchestrator/trial_config.h"

#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "sweeps/command.h"
#include "sweeps/python_format.h"
#include "sweeps/trial_params.h"

namespace labsweep::orchestrator {
namespace {

using Json = nlohmann::ordered_json;

sweeps::Value to_value(const Json& json) {
  switch (json.type()) {
    case Json::value_t::boolean:
      return sweeps::Value(json.get<bool>());
    case Json::value_t::number_integer:
      return sweeps::Value(json.get<int64_t>());
    case Json::value_t::number_unsigned: {
      uint64_t u = json.get<uint64_t>();
      // Above int64's range Python keeps an int; ours cannot, so it is the nearest float.
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return sweeps::Value(static_cast<double>(u));
      return sweeps::Value(static_cast<int64_t>(u));
    }
    case Json::value_t::number_float:
      return sweeps::Value(json.get<double>());
    case Json::value_t::string:
      return sweeps::Value(json.get<std::string>());
    case Json::value_t::array: {
      sweeps::List list;
      for (const Json& element : json) list.push_back(to_value(element));
      return sweeps::Value(std::move(list));
    }
    case Json::value_t::object: {
      sweeps::Map map;
      for (const auto& [key, element] : json.items()) map.emplace_back(key, to_value(element));
      return sweeps::Value(std::move(map));
    }
    default:
      return sweeps::Value();
  }
}

Json parse_object(std::string_view json) {
  // Parsing without exceptions: a discarded value marks malformed text. The depth of a
  // params_json is bounded by the sweep file's nesting, which the sweep reader limits.
  Json parsed = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : Json(Json::value_t::discarded);
}

}  // namespace

std::string params_json(const sweeps::SweepSpec& spec, const sweeps::Suggestion& suggestion) {
  return sweeps::python_json_dumps(sweeps::nest_parameters(spec.parameters, suggestion.values));
}

Result<std::vector<std::string>> trial_argv(const sweeps::SweepSpec& spec, std::string_view json,
                                            const GetEnv& getenv) {
  Json parsed = parse_object(json);
  if (parsed.is_discarded())
    return invalid_argument("trial parameters are not a JSON object: " + std::string(json));
  sweeps::CommandContext context{.params_file = std::string(kParamsFileName), .getenv = getenv};
  return sweeps::render_command(spec, to_value(parsed), context);
}

Result<std::vector<sweeps::Value>> trial_values(const sweeps::SweepSpec& spec,
                                                std::string_view json) {
  Json parsed = parse_object(json);
  if (parsed.is_discarded())
    return invalid_argument("trial parameters are not a JSON object: " + std::string(json));
  std::vector<sweeps::Value> values;
  values.reserve(spec.parameters.size());
  for (const sweeps::Parameter& p : spec.parameters) {
    const Json* at = &parsed;
    for (const std::string& key : p.path) {
      if (!at->is_object() || !at->contains(key))
        return invalid_argument("trial parameters have no " + p.name() + ": " + std::string(json));
      at = &(*at)[key];
    }
    values.push_back(to_value(*at));
  }
  return values;
}

void place_program(sweeps::SweepSpec& spec, const std::string& directory) {
  if (!spec.program || directory.empty()) return;
  std::filesystem::path program(*spec.program);
  if (program.is_absolute()) return;
  spec.program = (std::filesystem::path(directory) / program).lexically_normal().string();
}

}  // namespace labsweep::orchestrator
