#include "store/gpu_list.h"

#include <cctype>
#include <charconv>

namespace labsweep::store {
namespace {

void skip_spaces(std::string_view& text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
}

bool consume(std::string_view& text, char c) {
  skip_spaces(text);
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::string gpus_to_json(std::span<const int> gpus) {
  std::string json = "[";
  for (size_t i = 0; i < gpus.size(); ++i) {
    if (i > 0) json += ',';
    json += std::to_string(gpus[i]);
  }
  return json + "]";
}

std::optional<std::vector<int>> gpus_from_json(std::string_view json) {
  std::vector<int> gpus;
  if (!consume(json, '[')) return std::nullopt;
  if (!consume(json, ']')) {
    do {
      skip_spaces(json);
      int index = 0;
      auto [end, error] = std::from_chars(json.data(), json.data() + json.size(), index);
      if (error != std::errc() || index < 0) return std::nullopt;
      json.remove_prefix(end - json.data());
      gpus.push_back(index);
    } while (consume(json, ','));
    if (!consume(json, ']')) return std::nullopt;
  }
  skip_spaces(json);
  if (!json.empty()) return std::nullopt;
  return gpus;
}

}  // namespace labsweep::store
