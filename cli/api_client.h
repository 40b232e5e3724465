#pragma once

// The CLI's side of the orchestrator's HTTP API (docs/http-api.md): JSON requests to a server
// URL, over HTTP or HTTPS, with the API token when there is one, and every failure turned into
// one clear message.

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/status.h"

namespace httplib {
class Client;
}

namespace labsweep::cli {

// Where the CLI finds the server: `--url`, else $LABSWEEP_URL, else this.
inline constexpr const char* kDefaultServerUrl = "http://127.0.0.1:8080";

// The URL to use given the `--url` option (empty when not given).
std::string server_url(const std::string& option);

class ApiClient {
 public:
  // `url` is scheme://host[:port]; fails on anything else. `token` goes with every request as
  // `Authorization: Bearer TOKEN`. An https:// server's certificate is checked against the
  // system's CAs, or against the PEM file $LABSWEEP_CA_FILE (a lab's own CA or self-signed
  // certificate).
  static Result<ApiClient> connect(const std::string& url,
                                   std::optional<std::string> token = std::nullopt);

  ApiClient(ApiClient&&) noexcept;
  ApiClient& operator=(ApiClient&&) noexcept;
  ~ApiClient();

  // `path` is below /api/v1 ("/sweeps/3"). An error answer becomes a Status holding the
  // server's message; its whole JSON body stays available through last_error_body().
  Result<nlohmann::json> get(const std::string& path);
  Result<nlohmann::json> post(const std::string& path, const nlohmann::json& body);

  const nlohmann::json& last_error_body() const { return last_error_body_; }
  // The HTTP status of the last answer; 0 when the server was not reached.
  int last_status() const { return last_status_; }
  const std::string& url() const { return url_; }

 private:
  ApiClient(std::string url, std::unique_ptr<httplib::Client> http);
  template <typename Response>
  Result<nlohmann::json> answer(const std::string& what, Response response);

  std::string url_;
  std::unique_ptr<httplib::Client> http_;
  nlohmann::json last_error_body_;
  int last_status_ = 0;
};

}  // namespace labsweep::cli
