#include "cli/progress_line.h"

#include "cli/api_format.h"
#include "cli/list_command.h"

namespace labsweep::cli {
namespace {

std::string count(const nlohmann::json& counts, const char* status) {
  return counts.value(status, nlohmann::json(0)).dump() + " " + status;
}

}  // namespace

std::string progress_line(const nlohmann::json& sweep, int64_t elapsed_ms) {
  const nlohmann::json& c = sweep["counts"];
  std::string line = "[" + duration_text(0, elapsed_ms, elapsed_ms) + "] trials " +
                     progress_text(sweep) + " (" + count(c, "completed") + ", " +
                     count(c, "failed") + ", " + count(c, "stopped");
  if (c.value("lost", 0) > 0) line += ", " + count(c, "lost");
  line += "), " + count(c, "running") + ", " + count(c, "pending");
  if (sweep["best"].is_object()) line += "; best " + best_text(sweep);
  return line;
}

}  // namespace labsweep::cli
