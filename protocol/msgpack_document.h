#pragma once

// MessagePack bytes from the network to a JSON document, with bounds: nesting depth, and no
// memory reserved on a size the input merely claims. Never throws.

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/status.h"

namespace labsweep::protocol {

Result<nlohmann::json> parse_msgpack(std::string_view bytes, int max_depth = 16);

}  // namespace labsweep::protocol
