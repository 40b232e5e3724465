#include "cli/api_client.h"

#include <httplib.h>

#include <cstdlib>
#include <utility>

namespace labsweep::cli {
namespace {

constexpr const char* kApiPrefix = "/api/v1";
constexpr time_t kTimeoutSeconds = 30;

bool has_http_scheme(const std::string& url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

StatusCode code_for(int http_status) {
  if (http_status == 404) return StatusCode::kNotFound;
  if (http_status >= 400 && http_status < 500) return StatusCode::kInvalidArgument;
  return StatusCode::kIoError;
}

// Why the server at `url` could not be reached, and what to check.
std::string unreachable(const std::string& url, httplib::Error error) {
  std::string reason = httplib::to_string(error);
  std::string hint = "is `labsweep server` or `labsweep run` running? (--url or $LABSWEEP_URL)";
  switch (error) {
    case httplib::Error::Connection:
      reason = "connection refused";
      break;
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::Read:
    case httplib::Error::Write:
      reason = "no answer in time";
      break;
    case httplib::Error::SSLConnection:
      reason = "the TLS handshake failed";
      hint = "does it serve HTTPS?";
      break;
    case httplib::Error::SSLServerVerification:
      reason = "its certificate is not trusted";
      hint =
          "for a lab's own CA or a self-signed certificate, set $LABSWEEP_CA_FILE to its PEM file";
      break;
    default:
      break;
  }
  return "cannot reach the labsweep server at " + url + " (" + reason + "); " + hint;
}

}  // namespace

std::string server_url(const std::string& option) {
  if (!option.empty()) return option;
  const char* env = std::getenv("LABSWEEP_URL");
  return env && *env ? env : kDefaultServerUrl;
}

Result<ApiClient> ApiClient::connect(const std::string& url, std::optional<std::string> token) {
  if (!has_http_scheme(url)) {
    return invalid_argument("server URL '" + url + "' must start with http:// or https://");
  }
  auto http = std::make_unique<httplib::Client>(url);
  if (!http->is_valid()) return invalid_argument("server URL '" + url + "' is not valid");
  http->set_connection_timeout(kTimeoutSeconds);
  http->set_read_timeout(kTimeoutSeconds);
  http->set_write_timeout(kTimeoutSeconds);
  if (const char* ca = std::getenv("LABSWEEP_CA_FILE"); ca != nullptr && *ca != '\0')
    http->set_ca_cert_path(ca);
  if (token) http->set_bearer_token_auth(*token);
  return ApiClient(url, std::move(http));
}

ApiClient::ApiClient(std::string url, std::unique_ptr<httplib::Client> http)
    : url_(std::move(url)), http_(std::move(http)) {}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient& ApiClient::operator=(ApiClient&&) noexcept = default;
ApiClient::~ApiClient() = default;

Result<nlohmann::json> ApiClient::get(const std::string& path) {
  return answer("GET " + path, http_->Get(kApiPrefix + path));
}

Result<nlohmann::json> ApiClient::post(const std::string& path, const nlohmann::json& body) {
  return answer("POST " + path, http_->Post(kApiPrefix + path, body.dump(), "application/json"));
}

template <typename Response>
Result<nlohmann::json> ApiClient::answer(const std::string& what, Response response) {
  last_error_body_ = nullptr;
  last_status_ = 0;
  if (!response) return io_error(unreachable(url_, response.error()));
  last_status_ = response->status;
  nlohmann::json body = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (response->status >= 200 && response->status < 300) {
    if (body.is_discarded()) return io_error(what + ": the server's answer is not JSON");
    return body;
  }
  last_error_body_ = body.is_discarded() ? nlohmann::json() : body;
  std::string message = body.is_object() && body.contains("error") && body["error"].is_string()
                            ? body["error"].get<std::string>()
                            : "HTTP " + std::to_string(response->status);
  if (response->status == 401)
    message += "; run `labsweep login --url " + url_ + "` or set $LABSWEEP_TOKEN";
  return Status(code_for(response->status), message);
}

}  // namespace labsweep::cli
