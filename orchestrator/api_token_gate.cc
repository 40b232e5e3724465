#include "orchestrator/api_token_gate.h"

#include "base/log.h"
#include "orchestrator/api_tokens.h"

namespace labsweep::orchestrator {
namespace {

struct stat file_state(const std::filesystem::path& file) {
  struct stat now {};
  if (::stat(file.c_str(), &now) != 0) now = {};
  return now;
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The token of "Bearer TOKEN" (RFC 6750: the scheme in any case, then spaces); nullopt for any
// other form.
std::optional<std::string_view> bearer_token(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() ||
      !equals_ignoring_case(header.substr(0, kScheme.size()), kScheme) ||
      header[kScheme.size()] != ' ')
    return std::nullopt;
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

Result<std::unique_ptr<ApiTokenGate>> ApiTokenGate::open(std::filesystem::path file) {
  std::error_code error;
  if (!std::filesystem::exists(std::filesystem::symlink_status(file, error)))
    return Status{StatusCode::kFailedPrecondition, file.string() + " does not exist"};
  std::unique_ptr<ApiTokenGate> gate(new ApiTokenGate(std::move(file)));
  MutexLock lock(gate->mu_);
  if (Status loaded = gate->load(); !loaded.is_ok()) return loaded;
  if (gate->digests_.empty())
    return Status{StatusCode::kFailedPrecondition, gate->file_.string() + " holds no token"};
  return gate;
}

Status ApiTokenGate::load() {
  struct stat now = file_state(file_);
  // A file removed lists nobody: everyone is refused, as after revoking every token.
  Result<ApiTokens> tokens = ApiTokens::read(file_);
  if (!tokens) return tokens.status();
  digests_.clear();
  for (const ApiTokenEntry& entry : tokens->entries()) digests_.push_back(entry.digest);
  loaded_ = now;
  return Status::ok();
}

void ApiTokenGate::reload_if_changed() {
  struct stat now = file_state(file_);
  if (same_file_state(now, loaded_)) return;
  // `labsweep tokens` only ever writes whole, valid files; a hand edit's mistake must not lock
  // everyone out (nor let anyone in).
  if (Status loaded = load(); !loaded.is_ok()) {
    loaded_ = now;  // warn once per change, not on every request
    log_line(LogLevel::kWarning, "server",
             "API tokens not reloaded, the previous list stays in force: " + loaded.message());
    return;
  }
  if (digests_.empty()) {
    log_line(LogLevel::kWarning, "server",
             file_.string() + " lists no token now: every API request is refused");
    return;
  }
  log_line(LogLevel::kInfo, "server", "reloaded the API tokens from " + file_.string());
}

ApiTokenGate::Verdict ApiTokenGate::check(std::optional<std::string_view> authorization) {
  if (!authorization) return Verdict::kMissing;
  std::optional<std::string_view> token = bearer_token(*authorization);
  if (!token) return Verdict::kMalformed;
  TokenDigest digest = api_token_digest(*token);
  MutexLock lock(mu_);
  reload_if_changed();
  return digest_is_known(digest, digests_) ? Verdict::kValid : Verdict::kRefused;
}

}  // namespace labsweep::orchestrator
