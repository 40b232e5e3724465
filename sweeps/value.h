#pragma once

// The typed tree a sweep file is read into: YAML's null, bool, int, float, string, list and
// map kept distinct (as Python keeps them after yaml.safe_load), map order as written, and
// the source location of every node so that errors can point at it.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sweeps/source_location.h"

namespace labsweep::sweeps {

class Value;
using List = std::vector<Value>;
// Keys are strings: the reader rejects other mapping keys with an error that names the place.
using Map = std::vector<std::pair<std::string, Value>>;

enum class ValueKind { kNull, kBool, kInt, kFloat, kString, kList, kMap };

std::string_view kind_name(ValueKind kind);

class Value {
 public:
  Value() = default;
  explicit Value(bool b) : data_(b) {}
  explicit Value(int64_t i) : data_(i) {}
  explicit Value(int i) : data_(static_cast<int64_t>(i)) {}
  explicit Value(double d) : data_(d) {}
  explicit Value(std::string s) : data_(std::move(s)) {}
  explicit Value(const char* s) : data_(std::string(s)) {}
  explicit Value(List list) : data_(std::move(list)) {}
  explicit Value(Map map) : data_(std::move(map)) {}

  ValueKind kind() const { return static_cast<ValueKind>(data_.index()); }
  bool is_null() const { return kind() == ValueKind::kNull; }
  bool is_bool() const { return kind() == ValueKind::kBool; }
  bool is_int() const { return kind() == ValueKind::kInt; }
  bool is_float() const { return kind() == ValueKind::kFloat; }
  // A number in the JSON-schema sense: int or float, never bool.
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind() == ValueKind::kString; }
  bool is_list() const { return kind() == ValueKind::kList; }
  bool is_map() const { return kind() == ValueKind::kMap; }

  bool as_bool() const { return std::get<bool>(data_); }
  int64_t as_int() const { return std::get<int64_t>(data_); }
  double as_float() const { return std::get<double>(data_); }
  // The numeric value of an int or a float.
  double as_number() const { return is_int() ? static_cast<double>(as_int()) : as_float(); }
  const std::string& as_string() const { return std::get<std::string>(data_); }
  const List& as_list() const { return std::get<List>(data_); }
  List& as_list() { return std::get<List>(data_); }
  const Map& as_map() const { return std::get<Map>(data_); }
  Map& as_map() { return std::get<Map>(data_); }

  // The entry of a map with this key, or null when absent. Precondition: is_map().
  const Value* find(std::string_view key) const;

  SourceLocation location() const { return location_; }
  Value& at(SourceLocation where) {
    location_ = where;
    return *this;
  }
  // For a value held in a map: where its key was written (errors about the key point there).
  SourceLocation key_location() const { return key_location_.known() ? key_location_ : location_; }
  void set_key_location(SourceLocation where) { key_location_ = where; }

  // Equality of what the values would be written as in YAML (the identity W&B's grid
  // deduplication uses): kinds must match (True != 1, 3.0 != 3), floats compare by value
  // with NaN equal to NaN and -0.0 distinct from 0.0, maps regardless of key order.
  // Locations are ignored.
  friend bool operator==(const Value& a, const Value& b);

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, List, Map> data_;
  SourceLocation location_;
  SourceLocation key_location_;
};

}  // namespace labsweep::sweeps
