#include "sweeps/distribution.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace labsweep::sweeps {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::string_view kNone[] = {""};
constexpr std::string_view kValue[] = {"value"};
constexpr std::string_view kValues[] = {"values"};
constexpr std::string_view kValuesProbabilities[] = {"values", "probabilities"};
constexpr std::string_view kMinMax[] = {"min", "max"};
constexpr std::string_view kQ[] = {"q"};
constexpr std::string_view kMuSigma[] = {"mu", "sigma"};
constexpr std::string_view kMuSigmaQ[] = {"mu", "sigma", "q"};
constexpr std::string_view kAB[] = {"a", "b"};
constexpr std::string_view kABQ[] = {"a", "b", "q"};

constexpr Keys none() { return Keys(kNone).first(0); }

using D = Distribution;
const std::array<DistributionSchema, 18> kSchemas = {{
    {D::kConstant, "constant", kValue, none(), false, false},
    {D::kCategorical, "categorical", kValues, none(), false, false},
    {D::kCategoricalWithProbabilities, "categorical_w_probabilities", kValuesProbabilities, none(),
     false, false},
    {D::kIntUniform, "int_uniform", kMinMax, none(), false, false},
    {D::kUniform, "uniform", kMinMax, none(), false, false},
    {D::kQUniform, "q_uniform", kMinMax, kQ, true, false},
    {D::kLogUniform, "log_uniform", kMinMax, none(), true, true},
    {D::kLogUniformValues, "log_uniform_values", kMinMax, none(), true, false},
    {D::kInvLogUniform, "inv_log_uniform", kMinMax, none(), true, true},
    {D::kInvLogUniformValues, "inv_log_uniform_values", kMinMax, none(), true, false},
    {D::kQLogUniform, "q_log_uniform", kMinMax, kQ, true, true},
    {D::kQLogUniformValues, "q_log_uniform_values", kMinMax, kQ, true, false},
    {D::kNormal, "normal", none(), kMuSigma, true, false},
    {D::kQNormal, "q_normal", none(), kMuSigmaQ, true, false},
    {D::kLogNormal, "log_normal", none(), kMuSigma, true, false},
    {D::kQLogNormal, "q_log_normal", none(), kMuSigmaQ, true, false},
    {D::kBeta, "beta", none(), kAB, true, false},
    {D::kQBeta, "q_beta", none(), kABQ, true, false},
}};

}  // namespace

const DistributionSchema& schema_of(Distribution d) {
  return kSchemas[static_cast<size_t>(d)];  // kSchemas is in enum order
}

std::string_view distribution_name(Distribution d) { return schema_of(d).name; }

std::optional<Distribution> distribution_from_name(std::string_view name) {
  auto it = std::find_if(kSchemas.begin(), kSchemas.end(),
                         [name](const DistributionSchema& s) { return s.name == name; });
  if (it == kSchemas.end()) return std::nullopt;
  return it->distribution;
}

std::span<const DistributionSchema> all_distributions() { return kSchemas; }

bool is_quantized(Distribution d) {
  return d == D::kQUniform || d == D::kQLogUniform || d == D::kQLogUniformValues ||
         d == D::kQNormal || d == D::kQLogNormal || d == D::kQBeta;
}

bool has_positive_bounds(Distribution d) {
  return d == D::kLogUniformValues || d == D::kInvLogUniformValues || d == D::kQLogUniformValues;
}

}  // namespace labsweep::sweeps
