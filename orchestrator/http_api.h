#pragma once

// The orchestrator's HTTP JSON API (docs/http-api.md), served by cpp-httplib on threads of its
// own: reads from the store's readers, changes through a SweepControl. It checks the Host and
// Origin headers of every request, the API token when one is required, and caps request bodies
// (docs/http-api.md "Security"); with a certificate it speaks HTTPS.

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "orchestrator/http_tls.h"
#include "orchestrator/refusal_log.h"
#include "orchestrator/sweep_control.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace labsweep::orchestrator {

class ApiEndpoints;
class ApiRouter;
class ApiTokenGate;
class OriginPolicy;
class ReaderPool;

struct HttpApiOptions {
  size_t max_body_bytes = 4 << 20;           // a larger request body is a 413
  std::vector<std::string> allowed_hosts{};  // names besides loopback and the bound address
  int threads = 4;                           // requests served at once
  // Borrowed, must outlive the API. Set: every request but the dashboard's files needs one of
  // its tokens. Null: no token is asked for (loopback).
  ApiTokenGate* tokens = nullptr;
  std::optional<TlsFiles> tls{};  // HTTPS with these files; plain HTTP without
  // Borrowed: the time for the refusal log's windows; the system's when null.
  const Clock* clock = nullptr;
  RefusalLog::Sink refusal_log{};  // where refused requests are logged; the server's log if unset
};

class HttpApi {
 public:
  // `database` must exist at the current schema version (the store's writer opened it);
  // `control` is borrowed and must outlive the API.
  HttpApi(std::filesystem::path database, SweepControl& control, HttpApiOptions options = {});
  // stop()
  ~HttpApi();
  HttpApi(const HttpApi&) = delete;
  HttpApi& operator=(const HttpApi&) = delete;

  // Binds `host`:`port` (port 0: any free port) and serves until stop(). Yields the bound port.
  // Fails (kIoError) when the address cannot be bound, or when already started; with TLS, also
  // when the certificate or key cannot be used.
  Result<int> start(const std::string& host = "127.0.0.1", int port = 8080);
  // Stops serving, finishes the requests in flight, joins the threads. Idempotent.
  void stop();

 private:
  void install_handlers();
  // Host and Origin (docs/http-api.md "Security"); false after writing the refusal to `res`.
  bool check_origin(const httplib::Request& req, httplib::Response& res) const;
  // The Authorization header, when tokens are required; false after writing the 401 to `res`.
  bool check_token(const httplib::Request& req, httplib::Response& res) const;
  // Routes a request that passed the checks to its endpoint.
  void serve(const httplib::Request& req, httplib::Response& res) const;

  HttpApiOptions options_;
  SystemClock system_clock_;
  std::unique_ptr<RefusalLog> refusals_;
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<ApiEndpoints> endpoints_;
  std::unique_ptr<ApiRouter> router_;
  std::unique_ptr<OriginPolicy> origins_;    // set by start(), before any request is served
  std::unique_ptr<httplib::Server> server_;  // made by start()
  bool started_ = false;
  std::thread listener_;
};

}  // namespace labsweep::orchestrator
