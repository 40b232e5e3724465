#pragma once

// The parameter distributions of the W&B sweep format (reference §2.1) and the schema facts
// the reader and samplers need about each.

#include <optional>
#include <span>
#include <string_view>

namespace labsweep::sweeps {

enum class Distribution {
  kConstant,
  kCategorical,
  kCategoricalWithProbabilities,
  kIntUniform,
  kUniform,
  kQUniform,
  kLogUniform,  // deprecated: min/max are natural-log exponents
  kLogUniformValues,
  kInvLogUniform,  // deprecated
  kInvLogUniformValues,
  kQLogUniform,  // deprecated
  kQLogUniformValues,
  kNormal,
  kQNormal,
  kLogNormal,
  kQLogNormal,
  kBeta,
  kQBeta,
};

// What the schema says of one distribution's parameter body.
struct DistributionSchema {
  Distribution distribution;
  std::string_view name;
  std::span<const std::string_view> required;  // keys besides `distribution`
  std::span<const std::string_view> optional;
  bool distribution_key_required;  // false where the form can be inferred from its keys
  bool deprecated;
};

std::string_view distribution_name(Distribution d);
std::optional<Distribution> distribution_from_name(std::string_view name);
const DistributionSchema& schema_of(Distribution d);
// Every distribution in the reference's table order (for messages that list them).
std::span<const DistributionSchema> all_distributions();

// Whether a value is rounded to a multiple of q.
bool is_quantized(Distribution d);
// Whether min/max bound the value itself and must be positive (the *_values forms).
bool has_positive_bounds(Distribution d);

}  // namespace labsweep::sweeps
