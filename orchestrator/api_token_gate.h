#pragma once

// Whether an HTTP request carries a valid API token (docs/http-api.md "Security"). The tokens
// come from the server's `api_tokens` file, which the gate reads again whenever it changed
// (checked on every request with one stat(2): cheap next to the request), so that
// `labsweep tokens revoke` takes effect from the next request, with no restart. A file that no
// longer reads or parses leaves the previous list in force, with a warning. Thread-safe.

#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "orchestrator/api_token.h"

namespace labsweep::orchestrator {

class ApiTokenGate {
 public:
  enum class Verdict {
    kValid,
    kMissing,    // no Authorization header
    kMalformed,  // an Authorization header that is not "Bearer TOKEN"
    kRefused,    // a token that is not (or no longer) listed
  };

  // Reads `file`; fails when it is missing, unreadable, open to group or others, malformed, or
  // lists no token: a server that requires tokens would then refuse everyone.
  static Result<std::unique_ptr<ApiTokenGate>> open(std::filesystem::path file);

  // `authorization` is the request's Authorization header; nullopt when it has none.
  Verdict check(std::optional<std::string_view> authorization);

  const std::filesystem::path& file() const { return file_; }

 private:
  explicit ApiTokenGate(std::filesystem::path file) : file_(std::move(file)) {}
  Status load() REQUIRES(mu_);
  void reload_if_changed() REQUIRES(mu_);

  const std::filesystem::path file_;
  Mutex mu_;
  std::vector<TokenDigest> digests_ GUARDED_BY(mu_);
  struct stat loaded_ GUARDED_BY(mu_) {};  // the file as last read
};

}  // namespace labsweep::orchestrator
