// GET /api/v1/trials/{id}/output/{stdout|stderr}?after=OFFSET (docs/http-api.md): the kept end
// of a trial's stream, from byte `after` on, for a page that polls with the `end` of its last
// answer and so receives only what is new.

#include <algorithm>
#include <cstdint>
#include <string>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/http_request_checks.h"
#include "orchestrator/query_params.h"
#include "orchestrator/utf8_tail.h"

namespace labsweep::orchestrator {

ApiResponse ApiEndpoints::trial_output(const ApiRequest& request) {
  Result<int64_t> id = path_id(request, "trial");
  if (!id) return error_response(id.status());
  std::optional<store::OutputStream> stream = store::parse_output_stream(request.args.at(1));
  if (!stream) {
    return error_response(
        404, "no output stream '" + request.args.at(1) + "': expected stdout or stderr");
  }
  Result<QueryParams> query = QueryParams::read(request.query, {"after"});
  if (!query) return error_response(query.status());
  Result<std::optional<int64_t>> after = query->integer("after", 0, INT64_MAX);
  if (!after) return error_response(after.status());
  Result<ReaderPool::Lease> reader = readers_.acquire();
  if (!reader) return error_response(reader.status());
  Result<store::OutputTail> tail = (*reader)->trial_output(store::TrialId{*id}, *stream);
  if (!tail) return error_response(tail.status());

  // Past the end: the output started over (a new attempt), so all of it is new.
  int64_t from = after->value_or(0);
  if (from > tail->end) from = 0;
  const bool truncated = from < tail->start;
  from = std::max(from, tail->start);
  std::string_view text =
      std::string_view(tail->data).substr(static_cast<size_t>(from - tail->start));
  // A character cut at the end waits for its other bytes: the next poll starts at it.
  text = without_partial_character(text);
  ApiResponse response;
  response.body = Json{{"trial", *id},
                       {"stream", std::string(store::to_string(*stream))},
                       {"start", tail->start},
                       {"end", from + static_cast<int64_t>(text.size())},
                       {"text", std::string(text)},
                       {"truncated", truncated}};
  return response;
}

}  // namespace labsweep::orchestrator
