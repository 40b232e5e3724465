#include "sweeps/parameter_reader.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <regex>
#include <set>

#include "sweeps/python_format.h"

namespace labsweep::sweeps {

namespace {

constexpr const char* kNamePattern = "^[A-Za-z_][A-Za-z0-9_.-]*$";

// Reads one parameter body; collects errors against that parameter's name.
class BodyReader {
 public:
  BodyReader(Parameter& p, const Value& body, Diagnostics& diagnostics)
      : p_(p), body_(body), diagnostics_(diagnostics) {}

  bool read();

 private:
  std::optional<Distribution> pick_distribution();
  std::optional<Distribution> infer_distribution();
  bool check_keys(const DistributionSchema& schema);
  bool read_fields();
  bool read_bound(std::string_view key, Value& out);
  bool read_real(std::string_view key, double& out, double minimum, bool exclusive);
  bool read_values();
  bool read_probabilities();
  bool check_order();
  void error(SourceLocation where, const std::string& message) {
    diagnostics_.error(where, "parameter '" + p_.name() + "': " + message, p_.name());
  }

  Parameter& p_;
  const Value& body_;
  Diagnostics& diagnostics_;
};

bool BodyReader::read() {
  std::optional<Distribution> d = pick_distribution();
  if (!d) return false;
  p_.distribution = *d;
  const DistributionSchema& schema = schema_of(*d);
  if (!check_keys(schema) || !read_fields()) return false;
  if (schema.deprecated) {
    diagnostics_.warning(p_.where,
                         p_.name() + " uses " + std::string(schema.name) +
                             ", where min/max specify base-e exponents. Use " +
                             std::string(schema.name) + "_values to specify limit values.",
                         p_.name());
  }
  return true;
}

std::optional<Distribution> BodyReader::pick_distribution() {
  const Value* given = body_.find("distribution");
  if (!given) return infer_distribution();
  std::optional<Distribution> d =
      given->is_string() ? distribution_from_name(given->as_string()) : std::nullopt;
  if (!d) {
    std::string names;
    for (const DistributionSchema& s : all_distributions()) {
      names += (names.empty() ? "'" : ", '") + std::string(s.name) + "'";
    }
    error(given->location(), python_repr(*given) + " is not one of [" + names + "]");
  }
  return d;
}

// The first-match order of reference §2.2, restricted to the forms that need no
// `distribution` key: constant, categorical (with or without probabilities), int_uniform
// when both bounds are integers, uniform when either is a float.
std::optional<Distribution> BodyReader::infer_distribution() {
  if (body_.find("value")) return Distribution::kConstant;
  if (body_.find("values")) {
    return body_.find("probabilities") ? Distribution::kCategoricalWithProbabilities
                                       : Distribution::kCategorical;
  }
  const Value* min = body_.find("min");
  const Value* max = body_.find("max");
  if (min && max && min->is_number() && max->is_number()) {
    if (min->is_int() && max->is_int()) return Distribution::kIntUniform;
    if (min->is_int() != max->is_int() && p_.path.size() == 1) {
      diagnostics_.warning(p_.where,
                           "parameter '" + p_.name() + "': min " + python_repr(*min) + " and max " +
                               python_repr(*max) +
                               " mix an integer and a float; labsweep reads a uniform "
                               "distribution, but W&B's CLI rejects this as ambiguous: write "
                               "both as floats or add 'distribution: uniform'",
                           p_.name());
    }
    return Distribution::kUniform;
  }
  if (min && max) {
    const Value& bad = min->is_number() ? *max : *min;
    error(bad.location(), python_repr(bad) + " is not of type 'number'");
    return std::nullopt;
  }
  error(p_.where,
        "invalid hyperparameter configuration: its keys match no distribution (give 'value', "
        "'values', 'min' and 'max', or a 'distribution')");
  return std::nullopt;
}

bool BodyReader::check_keys(const DistributionSchema& schema) {
  bool ok = true;
  for (const auto& [key, v] : body_.as_map()) {
    bool known =
        key == "distribution" ||
        std::find(schema.required.begin(), schema.required.end(), key) != schema.required.end() ||
        std::find(schema.optional.begin(), schema.optional.end(), key) != schema.optional.end();
    if (!known) {
      error(v.key_location(), "invalid hyperparameter configuration: '" + key +
                                  "' is not a property of a " + std::string(schema.name) +
                                  " parameter");
      ok = false;
    }
  }
  for (std::string_view key : schema.required) {
    if (!body_.find(key)) {
      error(p_.where, "'" + std::string(key) + "' is a required property of a " +
                          std::string(schema.name) + " parameter");
      ok = false;
    }
  }
  return ok;
}

bool BodyReader::read_fields() {
  const Value* v;
  switch (p_.distribution) {
    case Distribution::kConstant:
      p_.value = *body_.find("value");
      return true;
    case Distribution::kCategorical:
      return read_values();
    case Distribution::kCategoricalWithProbabilities:
      return read_values() && read_probabilities();
    case Distribution::kNormal:
    case Distribution::kQNormal:
    case Distribution::kLogNormal:
    case Distribution::kQLogNormal:
      if (!read_real("mu", p_.mu, -HUGE_VAL, false) || !read_real("sigma", p_.sigma, 0, false)) {
        return false;
      }
      break;
    case Distribution::kBeta:
    case Distribution::kQBeta:
      if (!read_real("a", p_.a, 0, false) || !read_real("b", p_.b, 0, false)) return false;
      break;
    default:
      if (!read_bound("min", p_.min) || !read_bound("max", p_.max) || !check_order()) {
        return false;
      }
  }
  if (is_quantized(p_.distribution) && (v = body_.find("q"))) {
    double q = 0;
    if (!read_real("q", q, 0, true)) return false;
    p_.q = *v;
  }
  return true;
}

bool BodyReader::read_bound(std::string_view key, Value& out) {
  const Value& v = *body_.find(key);
  std::string k(key);
  if (p_.distribution == Distribution::kIntUniform && !v.is_int()) {
    error(v.location(), k + " " + python_repr(v) + " is not of type 'integer'");
    return false;
  }
  if (!v.is_number()) {
    error(v.location(), k + " " + python_repr(v) + " is not of type 'number'");
    return false;
  }
  if (!std::isfinite(v.as_number())) {
    error(v.location(), k + " must be a finite number, not " + python_repr(v));
    return false;
  }
  if (has_positive_bounds(p_.distribution) && key == "min" && v.as_number() <= 0) {
    error(v.location(), "min " + python_repr(v) + " must be greater than 0 for " +
                            std::string(distribution_name(p_.distribution)));
    return false;
  }
  out = v;
  return true;
}

bool BodyReader::read_real(std::string_view key, double& out, double minimum, bool exclusive) {
  const Value* v = body_.find(key);
  if (!v) return true;  // the default stays
  std::string k(key);
  if (!v->is_number() || !std::isfinite(v->as_number())) {
    error(v->location(), k + " " + python_repr(*v) + " is not a finite number");
    return false;
  }
  double x = v->as_number();
  if (exclusive ? x <= minimum : x < minimum) {
    error(v->location(), k + " " + python_repr(*v) + " must be " +
                             (exclusive ? "greater than " : "at least ") +
                             python_float_repr(minimum));
    return false;
  }
  out = x;
  return true;
}

bool BodyReader::read_values() {
  const Value& v = *body_.find("values");
  if (!v.is_list() || v.as_list().empty()) {
    error(v.location(), "values must be a non-empty list, not " +
                            (v.is_list() ? std::string("[]") : python_repr(v)));
    return false;
  }
  p_.values = v.as_list();
  return true;
}

bool BodyReader::read_probabilities() {
  const Value& v = *body_.find("probabilities");
  bool numbers = v.is_list() && std::all_of(v.as_list().begin(), v.as_list().end(), [](auto& x) {
                   return x.is_number() && std::isfinite(x.as_number()) && x.as_number() >= 0;
                 });
  if (!numbers) {
    error(v.location(), "probabilities must be a list of numbers that are at least 0");
    return false;
  }
  for (const Value& x : v.as_list()) p_.probabilities.push_back(x.as_number());
  if (p_.probabilities.size() != p_.values.size()) {
    error(v.location(), "values " + python_repr(Value(p_.values)) + " and probabilities " +
                            python_repr(v) + " are not the same length");
    return false;
  }
  double sum = std::accumulate(p_.probabilities.begin(), p_.probabilities.end(), 0.0);
  if (std::abs(sum - 1.0) > 1e-8 + 1e-5) {  // numpy.isclose(sum, 1) with its tolerances
    error(v.location(), "Probabilities " + python_repr(v) + " do not sum to 1");
    return false;
  }
  return true;
}

bool BodyReader::check_order() {
  bool ordered = p_.min.is_int() && p_.max.is_int() ? p_.min.as_int() < p_.max.as_int()
                                                    : p_.min.as_number() < p_.max.as_number();
  if (ordered) return true;
  error(p_.min.location(),
        "min " + python_repr(p_.min) + " is not less than max " + python_repr(p_.max));
  return false;
}

void read_level(const Value& block, const std::vector<std::string>& prefix,
                std::vector<Parameter>& out, Diagnostics& diagnostics);

void read_one(const std::string& name, const Value& body, const std::vector<std::string>& prefix,
              std::vector<Parameter>& out, Diagnostics& diagnostics) {
  static const std::regex kName(kNamePattern);
  Parameter p;
  p.path = prefix;
  p.path.push_back(name);
  p.where = body.key_location();
  if (!std::regex_match(name, kName)) {
    diagnostics.error(p.where,
                      "parameter name '" + name + "' does not match '" + kNamePattern +
                          "' (letters, digits, _ . and -, not starting with a digit)",
                      p.name());
    return;
  }
  if (!body.is_map()) {
    diagnostics.error(body.location(),
                      "Invalid configuration for hyperparameter '" + p.name() +
                          "': expected a mapping such as {values: [...]}, got " +
                          std::string(kind_name(body.kind())),
                      p.name());
    return;
  }
  if (const Value* nested = body.find("parameters")) {
    if (body.as_map().size() != 1 || !nested->is_map() || nested->as_map().empty()) {
      diagnostics.error(p.where,
                        "parameter '" + p.name() +
                            "': a nested group must hold only "
                            "'parameters', a non-empty mapping of parameters",
                        p.name());
      return;
    }
    read_level(*nested, p.path, out, diagnostics);
    return;
  }
  if (BodyReader(p, body, diagnostics).read()) out.push_back(std::move(p));
}

void read_level(const Value& block, const std::vector<std::string>& prefix,
                std::vector<Parameter>& out, Diagnostics& diagnostics) {
  // W&B's _unnest walks every level in sorted key order.
  std::vector<const std::pair<std::string, Value>*> entries;
  for (const auto& entry : block.as_map()) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* x, auto* y) { return x->first < y->first; });
  for (const auto* entry : entries) read_one(entry->first, entry->second, prefix, out, diagnostics);
}

}  // namespace

std::vector<Parameter> read_parameters(const Value& block, Diagnostics& diagnostics) {
  std::vector<Parameter> out;
  read_level(block, {}, out, diagnostics);
  return out;
}

}  // namespace labsweep::sweeps
