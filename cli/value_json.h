#pragma once

#include <nlohmann/json.hpp>

#include "sweeps/value.h"

namespace labsweep::cli {

// A sweep value as JSON; maps keep their order. Non-finite floats have no JSON form and become
// their Python spelling as a string ("nan", "inf").
nlohmann::ordered_json to_json(const sweeps::Value& value);

}  // namespace labsweep::cli
