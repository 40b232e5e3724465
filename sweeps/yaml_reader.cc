#include "sweeps/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <string>
#include <unordered_map>
#include <utility>

#include "sweeps/python_format.h"
#include "sweeps/scalar_resolver.h"

namespace labsweep::sweeps {
namespace {

SourceLocation location_of(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Finds the first byte that is not text: invalid UTF-8, NUL or a control character other than
// tab, newline and carriage return. YAML forbids them, and a file holding them is not a sweep.
std::optional<std::pair<SourceLocation, std::string>> find_non_text(std::string_view text) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80           ? 1
                    : (byte >> 5) == 0x6  ? 2
                    : (byte >> 4) == 0xE  ? 3
                    : (byte >> 3) == 0x1E ? 4
                                          : 0;
    bool ok = length != 0 && i + length <= text.size();
    for (size_t k = 1; ok && k < length; ++k) {
      ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    if (ok && length == 1 && byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') {
      ok = false;
    }
    if (!ok) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", byte);
      return std::pair{SourceLocation{line, column},
                       std::string("the file is not YAML text: byte ") + hex +
                           (length == 1 ? " is a control character" : " is not valid UTF-8")};
    }
    if (byte == '\n') {
      ++line;
      column = 0;
    }
    ++column;
    i += length;
  }
  return std::nullopt;
}

class Converter {
 public:
  Converter(Diagnostics& diagnostics, const YamlLimits& limits)
      : diagnostics_(diagnostics), limits_(limits) {}

  std::optional<Value> convert(const YAML::Node& node, int depth);

 private:
  std::optional<Value> scalar(const YAML::Node& node);
  std::optional<Value> sequence(const YAML::Node& node, int depth);
  std::optional<Value> mapping(const YAML::Node& node, int depth);
  bool merge_into(Map& map, const Value& merged, SourceLocation where);

  Diagnostics& diagnostics_;
  const YamlLimits& limits_;
  size_t nodes_ = 0;
  bool exhausted_ = false;
};

std::optional<Value> Converter::convert(const YAML::Node& node, int depth) {
  SourceLocation where = location_of(node.Mark());
  if (depth > limits_.max_depth) {
    diagnostics_.error(where,
                       "nesting is deeper than " + std::to_string(limits_.max_depth) + " levels");
    return std::nullopt;
  }
  if (exhausted_) return std::nullopt;
  if (++nodes_ > limits_.max_nodes) {
    diagnostics_.error(where, "the document expands to more than " +
                                  std::to_string(limits_.max_nodes) +
                                  " values (are aliases nested in aliases?)");
    exhausted_ = true;  // one error, and no more work on the rest of the tree
    return std::nullopt;
  }
  std::optional<Value> out;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out = Value();
      break;
    case YAML::NodeType::Scalar:
      out = scalar(node);
      break;
    case YAML::NodeType::Sequence:
      out = sequence(node, depth);
      break;
    case YAML::NodeType::Map:
      out = mapping(node, depth);
      break;
  }
  if (out) out->at(where);
  return out;
}

std::optional<Value> Converter::scalar(const YAML::Node& node) {
  SourceLocation where = location_of(node.Mark());
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!") return Value(text);  // quoted or block scalar: always a string
  Result<Value> value =
      tag == "?" || tag.empty() ? resolve_core_scalar(text) : resolve_tagged_scalar(tag, text);
  if (!value.is_ok()) {
    diagnostics_.error(where, "'" + text + "': " + value.status().message());
    return std::nullopt;
  }
  if (tag == "?" || tag.empty()) {
    if (auto pyyaml = pyyaml_reading_if_different(text, *value)) {
      diagnostics_.warning(where, "'" + text + "' is read as " +
                                      (value->is_string() ? "a string" : python_repr(*value)) +
                                      ", but PyYAML (which W&B's CLI uses) reads it as " + *pyyaml +
                                      "; quote it or write it unambiguously");
    }
  }
  return std::move(value).value();
}

std::optional<Value> Converter::sequence(const YAML::Node& node, int depth) {
  List list;
  list.reserve(node.size());
  bool ok = true;
  for (const YAML::Node& item : node) {
    std::optional<Value> v = convert(item, depth + 1);
    if (!v) {
      ok = false;
      continue;
    }
    list.push_back(std::move(*v));
  }
  if (!ok) return std::nullopt;
  return Value(std::move(list));
}

// YAML 1.1 merge keys (`<<: *defaults`), which PyYAML's safe_load applies: keys written in the
// map win over merged ones, and earlier merged maps win over later ones.
bool Converter::merge_into(Map& map, const Value& merged, SourceLocation where) {
  List sources = merged.is_list() ? merged.as_list() : List{merged};
  for (const Value& source : sources) {
    if (!source.is_map()) {
      diagnostics_.error(
          where, "'<<' merges mappings only, not a " + std::string(kind_name(source.kind())));
      return false;
    }
    for (const auto& [k, v] : source.as_map()) {
      bool present = false;
      for (const auto& entry : map) present = present || entry.first == k;
      if (!present) map.emplace_back(k, v);
    }
  }
  return true;
}

std::optional<Value> Converter::mapping(const YAML::Node& node, int depth) {
  Map map;
  std::unordered_map<std::string, SourceLocation> seen;
  std::vector<std::pair<Value, SourceLocation>> merges;
  bool ok = true;
  for (const auto& entry : node) {
    SourceLocation key_where = location_of(entry.first.Mark());
    if (!entry.first.IsScalar()) {
      diagnostics_.error(key_where, "mapping keys must be plain text, not a list or mapping");
      ok = false;
      continue;
    }
    const std::string& key = entry.first.Scalar();
    std::optional<Value> v = convert(entry.second, depth + 1);
    if (!v) {
      ok = false;
      continue;
    }
    if (key == "<<" && entry.first.Tag() == "?") {
      merges.emplace_back(std::move(*v), key_where);
      continue;
    }
    auto [it, inserted] = seen.emplace(key, key_where);
    if (!inserted) {
      diagnostics_.error(key_where, "duplicate key '" + key + "' (first written at line " +
                                        std::to_string(it->second.line) + ")");
      ok = false;
      continue;
    }
    v->set_key_location(key_where);
    map.emplace_back(key, std::move(*v));
  }
  for (const auto& [merged, where] : merges) ok = merge_into(map, merged, where) && ok;
  if (!ok) return std::nullopt;
  return Value(std::move(map));
}

}  // namespace

std::optional<Value> read_yaml(std::string_view text, Diagnostics& diagnostics,
                               const YamlLimits& limits) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark
  if (auto bad = find_non_text(text)) {
    diagnostics.error(bad->first, bad->second);
    return std::nullopt;
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    diagnostics.error(location_of(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  if (documents.size() > 1) {
    diagnostics.error(
        location_of(documents[1].Mark()),
        "expected a single document in the file, found " + std::to_string(documents.size()));
    return std::nullopt;
  }
  if (documents.empty() || documents[0].IsNull()) {
    diagnostics.error({}, "Configuration file is empty");
    return std::nullopt;
  }
  try {
    return Converter(diagnostics, limits).convert(documents[0], 0);
  } catch (const YAML::Exception& e) {
    diagnostics.error(location_of(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
}

}  // namespace labsweep::sweeps
