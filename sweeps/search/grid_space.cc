#include "sweeps/search/grid_space.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <unordered_map>

#include "sweeps/python_format.h"

namespace labsweep::sweeps {
namespace {

constexpr uint64_t kMaxGridSize = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// A text that two values share exactly when W&B's yaml_hash makes them one grid point:
// kinds are kept apart (True is not 1, '1' is not 1), floats by their repr (so NaN equals NaN),
// maps with sorted keys.
void append_identity(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kNull:
      out += 'n';
      return;
    case ValueKind::kBool:
      out += v.as_bool() ? "bT" : "bF";
      return;
    case ValueKind::kInt:
      out += 'i' + std::to_string(v.as_int());
      return;
    case ValueKind::kFloat:
      out += 'f' + python_float_repr(v.as_float());
      return;
    case ValueKind::kString:
      out += 's' + std::to_string(v.as_string().size()) + ':' + v.as_string();
      return;
    case ValueKind::kList:
      out += '[';
      for (const Value& item : v.as_list()) append_identity(item, out);
      out += ']';
      return;
    case ValueKind::kMap: {
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& e : v.as_map()) entries.push_back(&e);
      std::sort(entries.begin(), entries.end(),
                [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      for (const auto* e : entries) {
        out += std::to_string(e->first.size()) + ':' + e->first;
        append_identity(e->second, out);
      }
      out += '}';
      return;
    }
  }
}

std::string grid_identity(const Value& v) {
  // yaml_hash turns a top-level float with an integral value into an int: 3.0 is 3 there.
  if (v.is_float() && std::isfinite(v.as_float()) && v.as_float() == std::trunc(v.as_float()) &&
      std::abs(v.as_float()) < 9.2e18) {
    return 'i' + std::to_string(static_cast<int64_t>(v.as_float()));
  }
  std::string out;
  append_identity(v, out);
  return out;
}

bool is_grid_type(Distribution d) {
  return d == Distribution::kConstant || d == Distribution::kCategorical ||
         d == Distribution::kIntUniform || d == Distribution::kQUniform;
}

bool all_int(const Parameter& p) { return p.min.is_int() && p.max.is_int() && p.q.is_int(); }

// numpy.arange's length: ceil((stop - start) / step), in doubles for every input type.
uint64_t arange_length(double start, double stop, double step) {
  double n = std::ceil((stop - start) / step);
  if (!(n > 0)) return 0;
  return n >= static_cast<double>(kMaxGridSize) ? kMaxGridSize : static_cast<uint64_t>(n);
}

uint64_t axis_count(const Parameter& p) {
  switch (p.distribution) {
    case Distribution::kConstant:
      return 1;
    case Distribution::kCategorical:
      return deduplicate_grid_values(p.values).size();
    case Distribution::kIntUniform: {
      uint64_t span = static_cast<uint64_t>(p.max.as_int()) - static_cast<uint64_t>(p.min.as_int());
      return span >= kMaxGridSize ? kMaxGridSize : span + 1;
    }
    default:
      return arange_length(p.min.as_number(), p.max.as_number(), p.q.as_number());
  }
}

}  // namespace

List deduplicate_grid_values(const List& values) {
  List out;
  std::unordered_map<std::string, size_t> place;
  for (const Value& v : values) {
    auto [it, inserted] = place.emplace(grid_identity(v), out.size());
    if (inserted) {
      out.push_back(v);
    } else {
      out[it->second] = v;  // W&B emits the last occurrence's value at the first one's place
    }
  }
  return out;
}

void check_grid_parameters(const std::vector<Parameter>& parameters, Diagnostics& diagnostics) {
  uint64_t size = 1;
  bool overflow = false;
  for (const Parameter& p : parameters) {
    if (!is_grid_type(p.distribution)) {
      diagnostics.error(p.where,
                        "Parameter " + p.name() +
                            " is a disallowed type with grid search. Grid search requires all "
                            "parameters to be categorical, constant, int_uniform, or q_uniform. "
                            "Specification of probabilities for categorical parameters is "
                            "disallowed in grid search",
                        p.name());
      continue;
    }
    uint64_t n = axis_count(p);
    if (n == 0) continue;
    overflow = overflow || n >= kMaxGridSize || size > kMaxGridSize / n;
    if (!overflow) size *= n;
  }
  if (overflow) {
    diagnostics.error({}, "the grid has more than 2^63 points; labsweep cannot enumerate it");
  }
}

GridSpace::GridSpace(const std::vector<Parameter>& parameters) {
  for (const Parameter& p : parameters) axes_.push_back(make_axis(p));
  // The last parameter varies fastest: its stride is 1.
  for (size_t i = axes_.size(); i-- > 0;) {
    axes_[i].stride = size_;
    size_ *= axes_[i].count;
  }
}

GridSpace::Axis GridSpace::make_axis(const Parameter& p) {
  Axis axis;
  switch (p.distribution) {
    case Distribution::kConstant:
      axis.values = {p.value};
      break;
    case Distribution::kCategorical:
      axis.values = deduplicate_grid_values(p.values);
      break;
    case Distribution::kIntUniform:
      axis.kind = AxisKind::kIntRange;
      axis.int_start = p.min.as_int();
      break;
    default:  // q_uniform
      if (all_int(p)) {
        axis.kind = AxisKind::kIntRange;
        axis.int_start = p.min.as_int();
        axis.int_step = p.q.as_int();
      } else {
        // numpy fills float ranges as start + i * ((start + step) - start), not start + i * step.
        axis.kind = AxisKind::kFloatRange;
        axis.start = p.min.as_number();
        axis.first_step = axis.start + p.q.as_number();
        axis.delta = axis.first_step - axis.start;
      }
  }
  axis.count = axis.kind == AxisKind::kList ? axis.values.size() : axis_count(p);
  return axis;
}

// Value i of an arithmetic axis (int_uniform's range or q_uniform's arange).
Value GridSpace::range_value(const Axis& axis, uint64_t i) {
  if (axis.kind == AxisKind::kIntRange) {
    // Unsigned arithmetic wraps where signed would overflow; the result is in range.
    return Value(static_cast<int64_t>(static_cast<uint64_t>(axis.int_start) +
                                      i * static_cast<uint64_t>(axis.int_step)));
  }
  if (i == 1) return Value(axis.first_step);
  return Value(axis.start + static_cast<double>(i) * axis.delta);
}

void GridSpace::point(uint64_t k, std::vector<Value>& out) const {
  out.resize(axes_.size());
  for (size_t i = 0; i < axes_.size(); ++i) {
    const Axis& axis = axes_[i];
    uint64_t index = axis.count == 1 ? 0 : (k / axis.stride) % axis.count;
    // Copy-assigning a list value reuses the storage `out` already holds.
    if (axis.kind == AxisKind::kList) {
      out[i] = axis.values[index];
    } else {
      out[i] = range_value(axis, index);
    }
  }
}

std::vector<Value> GridSpace::point(uint64_t k) const {
  std::vector<Value> out;
  point(k, out);
  return out;
}

}  // namespace labsweep::sweeps
