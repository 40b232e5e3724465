#include "sweeps/labsweep_settings.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>

#include "sweeps/did_you_mean.h"
#include "sweeps/python_format.h"

namespace labsweep::sweeps {
namespace {

enum class Kind { kInt, kNumber, kBool, kString, kMap, kAny };

struct KeySpec {
  std::string_view name;
  Kind kind;
  double minimum = -HUGE_VAL;
  bool exclusive = false;  // the value must be greater than `minimum`, not equal
};

constexpr KeySpec kBlockKeys[] = {
    {"resources", Kind::kMap},
    {"max_concurrent", Kind::kInt, 1},
    {"max_retries", Kind::kInt, 0},
    {"seed", Kind::kInt, 0},
    {"stop_grace_s", Kind::kNumber, 0},
    {"kill_delay_s", Kind::kNumber, 0},
    {"trial_timeout_s", Kind::kNumber, 0, true},
    {"metrics", Kind::kMap},
    {"early_stopping", Kind::kAny},
    {"search", Kind::kString},
};
constexpr KeySpec kResourceKeys[] = {{"gpus", Kind::kInt, 0}};
constexpr KeySpec kMetricsKeys[] = {{"stdout_regex", Kind::kString}};

constexpr KeySpec kMedianKeys[] = {{"type", Kind::kString},
                                   {"metric", Kind::kString},
                                   {"resource", Kind::kString},
                                   {"warmup_steps", Kind::kInt, 0},
                                   {"min_trials", Kind::kInt, 1}};
constexpr KeySpec kAshaKeys[] = {
    {"type", Kind::kString},         {"metric", Kind::kString},       {"resource", Kind::kString},
    {"min_resource", Kind::kInt, 1}, {"max_resource", Kind::kInt, 1}, {"eta", Kind::kInt, 2},
    {"grace_period", Kind::kInt, 0}, {"brackets", Kind::kInt, 1},     {"cutoff", Kind::kString}};
constexpr std::string_view kAshaCutoffs[] = {"quantile", "rank"};
constexpr KeySpec kThresholdKeys[] = {
    {"type", Kind::kString},     {"metric", Kind::kString},
    {"resource", Kind::kString}, {"stop_on_nonfinite", Kind::kBool},
    {"bound", Kind::kNumber},    {"after_step", Kind::kInt, 0}};

struct RuleSchema {
  std::string_view type;
  std::span<const KeySpec> keys;
};
constexpr RuleSchema kRules[] = {
    {"median", kMedianKeys}, {"asha", kAshaKeys}, {"threshold", kThresholdKeys}};

constexpr std::string_view kSearchMethods[] = {"tpe", "sobol"};

std::vector<std::string_view> names_of(std::span<const KeySpec> keys) {
  std::vector<std::string_view> names;
  for (const KeySpec& k : keys) names.push_back(k.name);
  return names;
}

bool kind_matches(const Value& v, Kind kind) {
  switch (kind) {
    case Kind::kInt:
      return v.is_int();
    case Kind::kNumber:
      return v.is_number() && std::isfinite(v.as_number());
    case Kind::kBool:
      return v.is_bool();
    case Kind::kString:
      return v.is_string();
    case Kind::kMap:
      return v.is_map();
    case Kind::kAny:
      return true;
  }
  return false;
}

std::string_view kind_text(Kind kind) {
  switch (kind) {
    case Kind::kInt:
      return "an integer";
    case Kind::kNumber:
      return "a finite number";
    case Kind::kBool:
      return "true or false";
    case Kind::kString:
      return "a string";
    case Kind::kMap:
      return "a mapping";
    case Kind::kAny:
      return "a value";
  }
  return "a value";
}

// Checks every key of `map` against `keys`: unknown keys (with a suggestion), types and
// minimums. `where` names the section in messages ("labsweep.resources").
bool check_map(const Value& map, std::span<const KeySpec> keys, const std::string& where,
               Diagnostics& d) {
  bool ok = true;
  std::vector<std::string_view> names = names_of(keys);
  for (const auto& [key, v] : map.as_map()) {
    auto spec =
        std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.name == key; });
    if (spec == keys.end()) {
      d.error(v.key_location(), where + ": unknown key '" + key + "'" + did_you_mean(key, names));
      ok = false;
      continue;
    }
    std::string what = where + "." + key;
    if (!kind_matches(v, spec->kind)) {
      d.error(v.location(),
              what + " must be " + std::string(kind_text(spec->kind)) + ", not " + python_repr(v));
      ok = false;
    } else if (v.is_number() &&
               (spec->exclusive ? v.as_number() <= spec->minimum : v.as_number() < spec->minimum)) {
      d.error(v.location(), what + " must be " + (spec->exclusive ? "greater than " : "at least ") +
                                python_str(Value(static_cast<int64_t>(spec->minimum))) + ", not " +
                                python_repr(v));
      ok = false;
    }
  }
  return ok;
}

std::chrono::milliseconds seconds(const Value& v) {
  return std::chrono::milliseconds(std::llround(v.as_number() * 1000.0));
}

void read_stdout_regex(const Value& metrics, LabsweepSettings& s, Diagnostics& d) {
  const Value* re = metrics.find("stdout_regex");
  if (!re) return;
  // Compiled as the agent compiles it (RE2, agent/line_regex.h), so that what passes here runs.
  RE2::Options options;
  options.set_log_errors(false);
  RE2 compiled(re->as_string(), options);
  if (!compiled.ok()) {
    d.error(re->location(),
            "labsweep.metrics.stdout_regex is not a valid regular expression (RE2 syntax): " +
                compiled.error());
    return;
  }
  if (compiled.NumberOfCapturingGroups() < 2) {
    d.error(re->location(),
            "labsweep.metrics.stdout_regex needs two groups: the metric's name "
            "and its value, as in '(\\w+)=([-+.0-9eE]+)'");
    return;
  }
  s.stdout_regex = re->as_string();
}

std::optional<StoppingRuleSpec> read_rule(const Value& rule, Diagnostics& d) {
  std::vector<std::string_view> types;
  for (const RuleSchema& r : kRules) types.push_back(r.type);
  const Value* type = rule.is_map() ? rule.find("type") : nullptr;
  if (!type || !type->is_string()) {
    d.error(rule.location(),
            "labsweep.early_stopping: each rule needs a 'type': median, asha or "
            "threshold");
    return std::nullopt;
  }
  auto schema = std::find_if(std::begin(kRules), std::end(kRules),
                             [&](const RuleSchema& r) { return r.type == type->as_string(); });
  if (schema == std::end(kRules)) {
    std::string hint = type->as_string() == "hyperband"
                           ? " (hyperband is W&B's: write it under early_terminate)"
                           : did_you_mean(type->as_string(), types);
    d.error(type->location(),
            "labsweep.early_stopping: unknown rule type '" + type->as_string() + "'" + hint);
    return std::nullopt;
  }
  std::string where = "labsweep.early_stopping." + type->as_string();
  if (!check_map(rule, schema->keys, where, d)) return std::nullopt;
  StoppingRuleSpec spec{type->as_string(), "", "step", {}, rule.location()};
  for (const auto& [key, v] : rule.as_map()) {
    if (key == "metric") {
      spec.metric = v.as_string();
    } else if (key == "resource") {
      spec.resource = v.as_string();
    } else if (key != "type") {
      spec.settings.emplace_back(key, v);
    }
  }
  const Value* lo = rule.find("min_resource");
  const Value* hi = rule.find("max_resource");
  if (lo && hi && lo->as_int() >= hi->as_int()) {
    d.error(lo->location(), where + ": min_resource " + python_str(*lo) +
                                " must be less than max_resource " + python_str(*hi));
    return std::nullopt;
  }
  if (const Value* cutoff = rule.find("cutoff");
      cutoff && std::find(std::begin(kAshaCutoffs), std::end(kAshaCutoffs), cutoff->as_string()) ==
                    std::end(kAshaCutoffs)) {
    d.error(cutoff->location(), where + ".cutoff must be 'quantile' or 'rank', not '" +
                                    cutoff->as_string() + "'" +
                                    did_you_mean(cutoff->as_string(), kAshaCutoffs));
    return std::nullopt;
  }
  return spec;
}

void read_early_stopping(const Value& v, LabsweepSettings& s, Diagnostics& d) {
  List rules = v.is_list() ? v.as_list() : List{v};
  for (const Value& rule : rules) {
    if (auto spec = read_rule(rule, d)) s.early_stopping.push_back(std::move(*spec));
  }
}

void read_search(const Value& v, LabsweepSettings& s, Diagnostics& d) {
  const std::string& name = v.as_string();
  if (std::find(std::begin(kSearchMethods), std::end(kSearchMethods), name) ==
      std::end(kSearchMethods)) {
    d.error(v.location(), "labsweep.search: unknown search method '" + name +
                              "'; labsweep adds 'tpe' and 'sobol' to W&B's methods" +
                              did_you_mean(name, kSearchMethods));
    return;
  }
  s.search = name;
}

}  // namespace

LabsweepSettings read_labsweep_settings(const Value& block, Diagnostics& d) {
  LabsweepSettings s;
  if (!block.is_map()) {
    d.error(block.location(), "labsweep must be a mapping of labsweep's settings");
    return s;
  }
  check_map(block, kBlockKeys, "labsweep", d);
  auto valid = [&](std::string_view key, Kind kind) -> const Value* {
    const Value* v = block.find(key);
    return v && kind_matches(*v, kind) ? v : nullptr;
  };
  if (const Value* r = valid("resources", Kind::kMap);
      r && check_map(*r, kResourceKeys, "labsweep.resources", d) && r->find("gpus")) {
    s.gpus = r->find("gpus")->as_int();
  }
  if (const Value* v = valid("max_concurrent", Kind::kInt)) s.max_concurrent = v->as_int();
  if (const Value* v = valid("max_retries", Kind::kInt)) s.max_retries = v->as_int();
  if (const Value* v = valid("seed", Kind::kInt)) s.seed = static_cast<uint64_t>(v->as_int());
  if (const Value* v = valid("stop_grace_s", Kind::kNumber)) s.stop_grace = seconds(*v);
  if (const Value* v = valid("kill_delay_s", Kind::kNumber)) s.kill_delay = seconds(*v);
  if (const Value* v = valid("trial_timeout_s", Kind::kNumber)) s.trial_timeout = seconds(*v);
  if (const Value* m = valid("metrics", Kind::kMap);
      m && check_map(*m, kMetricsKeys, "labsweep.metrics", d)) {
    read_stdout_regex(*m, s, d);
  }
  if (const Value* v = block.find("early_stopping")) read_early_stopping(*v, s, d);
  if (const Value* v = valid("search", Kind::kString)) read_search(*v, s, d);
  return s;
}

}  // namespace labsweep::sweeps
