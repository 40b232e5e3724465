#include "orchestrator/http_api.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <exception>
#include <optional>
#include <utility>
#include <variant>

#include "orchestrator/api_endpoints.h"
#include "orchestrator/api_router.h"
#include "orchestrator/api_token_gate.h"
#include "orchestrator/dashboard_routes.h"
#include "orchestrator/http_request_checks.h"
#include "orchestrator/reader_pool.h"
#include "orchestrator/response_compression.h"

namespace labsweep::orchestrator {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

void write_response(ApiResponse api, Response& res) {
  res.status = api.status;
  for (const auto& [name, value] : api.headers) res.set_header(name, value);
  // Moved in rather than copied by set_content: a page of 10,000 trials is megabytes.
  res.body = api.serialized_body ? std::move(*api.serialized_body) : to_body(api.body);
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", std::string(kJsonContentType));
}

// gzip for a JSON or script body of some size when the client takes it
// (response_compression.h). Bodies of other types are left to httplib.
void compress(const Request& req, Response& res) {
  if (res.body.size() < kMinCompressedBytes || res.has_header("Content-Encoding")) return;
  const std::string type = res.get_header_value("Content-Type");
  if (type != kJsonContentType && type != kScriptContentType) return;
  res.set_header("Vary", "Accept-Encoding");
  if (!accepts_gzip(req.get_header_value("Accept-Encoding"))) return;
  if (std::optional<std::string> packed = gzip(res.body)) {
    res.body = std::move(*packed);
    res.set_header("Content-Encoding", "gzip");
    // httplib has set the length of the uncompressed body by the time this handler runs.
    res.headers.erase("Content-Length");
    res.set_header("Content-Length", std::to_string(res.body.size()));
  }
}

// A header's value; nullopt when it is absent. A header sent twice is refused before this is
// asked (two Host headers could be read differently by a proxy and by us).
std::optional<std::string> header(const Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

// The error text for statuses that httplib answers by itself, before any route runs.
std::string library_error_message(int status, size_t max_body_bytes) {
  switch (status) {
    case 413:
      return "request body exceeds " + std::to_string(max_body_bytes) + " bytes";
    case 404:
      return "no such path";
    case 414:
      return "request URI too long";
    default:
      return "bad request";
  }
}

// The dashboard's answer: its own content type and caching instead of the API's.
void write_dashboard_response(const DashboardResponse& page, Response& res) {
  res.headers.erase("Cache-Control");  // the API's default no-store; assets revalidate instead
  for (const auto& [name, value] : page.headers) {
    res.headers.erase(name);  // a default header (nosniff) is not sent twice
    res.set_header(name, value);
  }
  if (page.status >= 400) {
    write_response(error_response(page.status, page.error), res);
    return;
  }
  res.status = page.status;
  if (page.status == 200)
    res.set_content(page.body.data(), page.body.size(), std::string(page.content_type));
}

// A 401 with the challenge of RFC 6750. The message never repeats what the client sent: a
// mistyped token is still mostly a token.
ApiResponse token_refusal(ApiTokenGate::Verdict verdict) {
  std::string message;
  std::string challenge = "Bearer realm=\"labsweep\"";
  switch (verdict) {
    case ApiTokenGate::Verdict::kMissing:
      message = "this server requires an API token: send 'Authorization: Bearer TOKEN'";
      break;
    case ApiTokenGate::Verdict::kMalformed:
      message = "the Authorization header must be 'Bearer TOKEN'";
      challenge += ", error=\"invalid_request\"";
      break;
    default:
      message = "the API token is not valid (revoked, mistyped, or for another server)";
      challenge += ", error=\"invalid_token\"";
      break;
  }
  ApiResponse response = error_response(401, message);
  response.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  return response;
}

}  // namespace

HttpApi::HttpApi(std::filesystem::path database, SweepControl& control, HttpApiOptions options)
    : options_(std::move(options)),
      refusals_(std::make_unique<RefusalLog>(options_.clock ? *options_.clock : system_clock_,
                                             options_.refusal_log)),
      readers_(std::make_unique<ReaderPool>(std::move(database))),
      endpoints_(std::make_unique<ApiEndpoints>(*readers_, control)),
      router_(std::make_unique<ApiRouter>()) {
  endpoints_->add_routes(*router_);
}

HttpApi::~HttpApi() { stop(); }

void HttpApi::install_handlers() {
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_->set_payload_max_length(options_.max_body_bytes);
  // httplib's default sets SO_REUSEPORT, with which a second server (a second `labsweep run`)
  // could bind our port and take some of our connections; refuse that, as a bind error.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // An idle keep-alive connection holds a thread, and stop() waits for it to time out.
  server_->set_keep_alive_timeout(2);
  server_->set_default_headers(
      {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}});
  // Runs before the body is read, so a foreign request costs nothing more.
  server_->set_pre_routing_handler([this](const Request& req, Response& res) {
    bool admitted = check_origin(req, res) && check_token(req, res);
    return admitted ? HandlerResponse::Unhandled : HandlerResponse::Handled;
  });
  server_->set_post_routing_handler(compress);
  auto serve = [this](const Request& req, Response& res) { this->serve(req, res); };
  server_->Get(".*", serve);
  server_->Post(".*", serve);
  server_->Put(".*", serve);
  server_->Patch(".*", serve);
  server_->Delete(".*", serve);
  server_->Options(".*", serve);
  // httplib calls this for every status >= 400; our own responses already have a body.
  const size_t max_body = options_.max_body_bytes;
  server_->set_error_handler(httplib::Server::HandlerWithResponse([max_body](const Request&,
                                                                             Response& res) {
    if (!res.body.empty()) return HandlerResponse::Unhandled;
    write_response(error_response(res.status, library_error_message(res.status, max_body)), res);
    return HandlerResponse::Handled;
  }));
  server_->set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    write_response(error_response(500, "internal error"), res);
  });
}

bool HttpApi::check_origin(const Request& req, Response& res) const {
  for (const char* name : {"Host", "Origin"}) {
    if (req.get_header_value_count(name) > 1) {
      write_response(error_response(400, std::string(name) + " header given more than once"), res);
      return false;
    }
  }
  const std::optional<std::string> host_header = header(req, "Host");
  const std::optional<std::string> origin_header = header(req, "Origin");
  Status host = origins_->check_host(host_header);
  Status origin = host.is_ok() ? origins_->check_origin(origin_header) : Status::ok();
  const Status& refused = host.is_ok() ? origin : host;
  if (refused.is_ok()) return true;
  write_response(error_response(403, refused.message()), res);
  refusals_->refused({.peer = req.remote_addr,
                      .method = req.method,
                      .path = req.path,
                      .status = 403,
                      .reason = refused.message()});
  return false;
}

bool HttpApi::check_token(const Request& req, Response& res) const {
  // The dashboard's files hold no data, and the page must load to ask for the token.
  if (options_.tokens == nullptr || is_dashboard_path(req.path)) return true;
  if (req.get_header_value_count("Authorization") > 1) {
    write_response(error_response(400, "Authorization header given more than once"), res);
    return false;
  }
  ApiTokenGate::Verdict verdict = options_.tokens->check(header(req, "Authorization"));
  if (verdict == ApiTokenGate::Verdict::kValid) return true;
  ApiResponse refusal = token_refusal(verdict);
  refusals_->refused({.peer = req.remote_addr,
                      .method = req.method,
                      .path = req.path,
                      .status = refusal.status,
                      .reason = refusal.body["error"].get_ref<const std::string&>()});
  write_response(std::move(refusal), res);
  return false;
}

void HttpApi::serve(const Request& req, Response& res) const {
  if (auto page = route_dashboard(req.method, req.path, header(req, "If-None-Match"))) {
    write_dashboard_response(*page, res);
    return;
  }
  auto found = router_->route(req.method, req.path);
  if (std::holds_alternative<ApiRouter::Missing>(found)) {
    write_response(error_response(404, "no such path: " + req.path), res);
  } else if (auto* wrong = std::get_if<ApiRouter::WrongMethod>(&found)) {
    ApiResponse response = error_response(405, "method " + req.method + " is not allowed here");
    response.headers.emplace_back("Allow", wrong->allow);
    write_response(std::move(response), res);
  } else {
    ApiRouter::Found& route = std::get<ApiRouter::Found>(found);
    ApiRequest request{std::move(route.args),
                       {req.params.begin(), req.params.end()},
                       req.get_header_value("Content-Type"),
                       req.body};
    // Exceptions (an allocation failure, a library's) stop here, as a 500.
    try {
      write_response((*route.handler)(request), res);
    } catch (const std::exception&) {
      write_response(error_response(500, "internal error"), res);
    }
  }
}

Result<int> HttpApi::start(const std::string& host, int port) {
  if (started_) return io_error("the HTTP API was already started");
  if (options_.tls) {
    Result<std::unique_ptr<httplib::Server>> tls = make_tls_server(*options_.tls);
    if (!tls) return tls.status();
    server_ = std::move(*tls);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  install_handlers();
  int bound =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return io_error("cannot listen for HTTP on " + host + ":" + std::to_string(port));
  }
  started_ = true;
  origins_ = std::make_unique<OriginPolicy>(host, bound, options_.allowed_hosts);
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs; wait for it so that a stop()
  // right after start() is not lost.
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void HttpApi::stop() {
  if (!listener_.joinable()) return;
  server_->stop();
  listener_.join();
}

}  // namespace labsweep::orchestrator
