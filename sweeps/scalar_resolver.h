#pragma once

// How an unquoted YAML scalar becomes a typed value. labsweep reads by YAML 1.2's core schema
// (so `1e-5` is a float, as the W&B server reads it); W&B's CLI reads with PyYAML, which follows
// YAML 1.1, and where the two differ the reader warns.

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

// The value of a plain scalar under YAML 1.2's core schema: null, bool, int (decimal, 0o octal,
// 0x hex), float (including .inf and .nan), otherwise the string itself. Fails only for an
// integer that does not fit in 64 bits.
Result<Value> resolve_core_scalar(std::string_view text);

// The value of a scalar written with an explicit tag (`!!float 1e-5`); the tag is the short
// form ("!!float") or yaml-cpp's long form ("tag:yaml.org,2002:float").
Result<Value> resolve_tagged_scalar(std::string_view tag, std::string_view text);

// When PyYAML's safe_load would read `text` as something other than `core` (the YAML 1.2
// value), a short description of what it reads, such as "a string" or "the boolean True".
std::optional<std::string> pyyaml_reading_if_different(std::string_view text, const Value& core);

}  // namespace labsweep::sweeps
