#include "store/trial_output.h"

#include <algorithm>

#include "store/statement_cache.h"

namespace labsweep::store {
namespace {

constexpr std::string_view kTrialExists = "SELECT 1 FROM trials WHERE id = ?1";
constexpr std::string_view kChunks =
    "SELECT start_byte, end_byte, data FROM trial_output WHERE trial_id = ?1 AND stream = ?2 "
    "ORDER BY start_byte";

}  // namespace

std::string_view to_string(OutputStream stream) {
  return stream == OutputStream::kStdout ? "stdout" : "stderr";
}

std::optional<OutputStream> parse_output_stream(std::string_view text) {
  if (text == "stdout") return OutputStream::kStdout;
  if (text == "stderr") return OutputStream::kStderr;
  return std::nullopt;
}

Result<OutputTail> read_output_tail(StatementCache& cache, TrialId trial, OutputStream stream) {
  {
    Result<StatementLease> exists = cache.lease(kTrialExists);
    if (!exists) return exists.status();
    Result<bool> row = exists->get().bind(1, trial.value).step();
    if (!row) return row.status();
    if (!*row) return not_found("trial " + std::to_string(trial.value) + " does not exist");
  }
  Result<StatementLease> lease = cache.lease(kChunks);
  if (!lease) return lease.status();
  Statement& rows = lease->get();
  rows.bind(1, trial.value).bind(2, to_string(stream));
  OutputTail tail;
  for (;;) {
    Result<bool> row = rows.step();
    if (!row) return row.status();
    if (!*row) break;
    const int64_t start = rows.int64(0);
    if (start != tail.end || tail.data.empty()) {  // the first chunk, or one after a gap
      tail.start = start;
      tail.data.clear();
    }
    tail.data += rows.text(2);
    tail.end = rows.int64(1);
  }
  if (tail.end - tail.start > kTrialOutputBytes) {
    tail.data.erase(0, static_cast<size_t>(tail.end - tail.start - kTrialOutputBytes));
    tail.start = tail.end - kTrialOutputBytes;
  }
  return tail;
}

}  // namespace labsweep::store
