// POST /api/v1/validate (docs/http-api.md): what POST /sweeps would say of a sweep file, without
// submitting it, so that the dashboard's form can show the file's problems while it is typed.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/json_views.h"
#include "orchestrator/request_body.h"
#include "sweeps/search/search_method.h"
#include "sweeps/sweep_reader.h"

namespace labsweep::orchestrator {
namespace {

// A file without labsweep.seed gets its seed at submission; the plan's size does not depend on
// it.
constexpr uint64_t kPreviewSeed = 0;

// A relative `program:` is found in the submission's `directory`; without one (a file pasted
// into the dashboard) it is run as written, from each trial's own directory, where it is
// rarely found. Said here, before any trial fails for it.
std::optional<sweeps::Diagnostic> relative_program_warning(const sweeps::SweepSpec& spec,
                                                           const std::string& directory) {
  if (!spec.program || !directory.empty()) return std::nullopt;
  if (std::filesystem::path(*spec.program).is_absolute()) return std::nullopt;
  sweeps::Diagnostic warning;
  warning.severity = sweeps::Severity::kWarning;
  warning.message = "program '" + *spec.program +
                    "' is a relative path and the submission names no directory: each trial "
                    "runs it from its own directory (give an absolute path, or submit with "
                    "`labsweep submit`)";
  return warning;
}

struct Validation {
  std::vector<sweeps::Diagnostic> diagnostics;
  bool valid = false;
  std::optional<uint64_t> trials;
};

Validation validate(const SweepSubmission& submission) {
  sweeps::ReadResult read = sweeps::read_sweep(submission.text);
  Validation out;
  out.diagnostics = read.diagnostics.all();
  if (!read.spec) return out;
  const sweeps::SweepSpec& spec = *read.spec;
  if (auto warning = relative_program_warning(spec, submission.directory)) {
    out.diagnostics.push_back(std::move(*warning));
  }
  Result<std::unique_ptr<sweeps::SearchMethod>> method =
      sweeps::make_search_method(spec, spec.labsweep.seed ? *spec.labsweep.seed : kPreviewSeed);
  if (!method) {
    // Submitting would fail the same way (a 400 without a place in the file).
    sweeps::Diagnostic error;
    error.message = method.status().message();
    out.diagnostics.push_back(std::move(error));
    return out;
  }
  out.valid = true;
  out.trials = sweeps::planned_trial_count(spec, **method);
  return out;
}

}  // namespace

ApiResponse ApiEndpoints::validate_sweep(const ApiRequest& request) {
  if (std::optional<ApiResponse> refused = reject_non_json_body(request)) return *refused;
  Result<QueryParams> query = QueryParams::read(request.query, {});
  if (!query) return error_response(query.status());
  Result<SweepSubmission> submission = read_submit_request(request.body);
  if (!submission) return error_response(submission.status());
  Validation validation = validate(*submission);
  Json diagnostics = Json::array();
  for (const sweeps::Diagnostic& d : validation.diagnostics) {
    diagnostics.push_back(diagnostic_json(submission->file_name, d));
  }
  ApiResponse response;
  response.body = Json{{"valid", validation.valid},
                       {"diagnostics", std::move(diagnostics)},
                       {"trials", validation.trials ? Json(*validation.trials) : Json(nullptr)}};
  return response;
}

}  // namespace labsweep::orchestrator
