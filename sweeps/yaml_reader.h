#pragma once

// Reads YAML text into a Value tree with the place of every node. Malformed input (invalid
// UTF-8, control bytes, YAML syntax errors, duplicate keys, unsupported tags, integers past
// 64 bits, nesting or alias expansion beyond sane limits) becomes errors that name the place;
// scalars that PyYAML would read differently become warnings. Never throws.

#include <optional>
#include <string_view>

#include "sweeps/diagnostic.h"
#include "sweeps/value.h"

namespace labsweep::sweeps {

struct YamlLimits {
  int max_depth = 64;
  size_t max_nodes = 1'000'000;  // after aliases are expanded
};

// The value of the single document in `text`, or nullopt (with errors) when it cannot be read.
// An empty document is an error: W&B's "Configuration file is empty".
std::optional<Value> read_yaml(std::string_view text, Diagnostics& diagnostics,
                               const YamlLimits& limits = {});

}  // namespace labsweep::sweeps
