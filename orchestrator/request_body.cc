#include "orchestrator/request_body.h"

#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace labsweep::orchestrator {
namespace {

using nlohmann::json;

// "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...".
std::string without_exception_tag(const std::string& what) {
  size_t end = what.find("] ");
  return what.starts_with("[json.exception.") && end != std::string::npos ? what.substr(end + 2)
                                                                          : what;
}

// Our bodies are flat objects. A body of a few MiB of '[' would make nlohmann build millions of
// nested arrays before failing; counting brackets first (outside strings) costs one pass.
constexpr int kMaxDepth = 8;
bool nests_too_deep(std::string_view body) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      if (c == '\\') ++i;  // skip the escaped character
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

// Parses `body` as one JSON object, refusing a key that appears twice in it (nlohmann would
// silently keep the last, hiding a client's mistake).
Result<json> parse_object(std::string_view body) {
  std::optional<std::string> duplicate;
  std::set<std::string> keys;
  json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1 &&
        !keys.insert(parsed.get<std::string>()).second && !duplicate) {
      duplicate = parsed.get<std::string>();
    }
    return true;
  };
  if (nests_too_deep(body)) {
    return invalid_argument("the body nests deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  json parsed;
  try {
    parsed = json::parse(body, on_event);
  } catch (const json::exception& e) {
    return invalid_argument("malformed JSON body: " + without_exception_tag(e.what()));
  }
  if (duplicate) return invalid_argument("field '" + *duplicate + "' is given more than once");
  if (!parsed.is_object()) return invalid_argument("the body must be a JSON object");
  return parsed;
}

bool is_blank(std::string_view body) {
  return body.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<std::string> string_field(const json& value, const std::string& name) {
  if (!value.is_string()) {
    return invalid_argument("field '" + name + "' must be a string, not " +
                            std::string(value.type_name()));
  }
  return value.get<std::string>();
}

}  // namespace

Result<SweepSubmission> read_submit_request(std::string_view body) {
  Result<json> parsed = parse_object(body);
  if (!parsed) return parsed.status();
  SweepSubmission request;
  bool has_spec = false;
  for (const auto& [key, value] : parsed->items()) {
    if (key != "spec" && key != "file_name" && key != "name" && key != "directory") {
      return invalid_argument("unknown field '" + key + "'");
    }
    Result<std::string> text = string_field(value, key);
    if (!text) return text.status();
    if (key == "spec") {
      request.text = std::move(*text);
      has_spec = true;
    } else if (key == "file_name") {
      if (text->empty()) return invalid_argument("field 'file_name' must not be empty");
      request.file_name = std::move(*text);
    } else if (key == "directory") {
      if (!text->starts_with('/')) {
        return invalid_argument("field 'directory' must be an absolute path");
      }
      request.directory = std::move(*text);
    } else {
      if (text->empty()) return invalid_argument("field 'name' must not be empty");
      request.name = std::move(*text);
    }
  }
  if (!has_spec) return invalid_argument("missing field 'spec'");
  return request;
}

Status read_empty_request(std::string_view body) {
  if (is_blank(body)) return Status::ok();
  Result<json> parsed = parse_object(body);
  if (!parsed) return parsed.status();
  if (!parsed->empty()) {
    return invalid_argument("unknown field '" + parsed->begin().key() + "'");
  }
  return Status::ok();
}

}  // namespace labsweep::orchestrator
