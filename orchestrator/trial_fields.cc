#include "orchestrator/trial_fields.h"

#include <algorithm>

namespace labsweep::orchestrator {
namespace {

std::string known_fields() {
  std::string names;
  for (std::string_view field : kTrialFields) {
    if (!names.empty()) names += ", ";
    names += field;
  }
  return names;
}

}  // namespace

Result<TrialFields> TrialFields::parse(std::optional<std::string_view> text) {
  TrialFields fields;
  if (!text) return fields;
  fields.kept_.emplace();
  for (size_t start = 0; start <= text->size();) {
    const size_t comma = std::min(text->find(',', start), text->size());
    const std::string_view name = text->substr(start, comma - start);
    if (name.empty()) {
      return invalid_argument("query parameter 'fields': an empty field name at character " +
                              std::to_string(start + 1));
    }
    if (std::find(kTrialFields.begin(), kTrialFields.end(), name) == kTrialFields.end()) {
      return invalid_argument("query parameter 'fields': unknown field '" + std::string(name) +
                              "' (a trial has " + known_fields() + ")");
    }
    fields.kept_->emplace(name);
    start = comma + 1;
  }
  return fields;
}

}  // namespace labsweep::orchestrator
