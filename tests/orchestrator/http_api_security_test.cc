// What keeps a web page, a stray client or a large or malformed request from driving the API
// (docs/http-api.md "Security" and "Conventions"), through real connections.

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// Sends `request` as raw bytes on a fresh connection and returns everything the server sends
// back before it closes the connection (the request asks for that).
std::string raw_exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return "";
  }
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) response.append(buffer, n);
  ::close(fd);
  return response;
}

TEST_F(HttpApiTest, ForeignHostIsRefusedBeforeAnyRoute) {
  const std::string port = std::to_string(port_);
  for (const std::string& host : std::vector<std::string>{
           "evil.example:" + port, "evil.example", "127.0.0.1:1", "127.0.0.2:" + port,
           "localhost.evil.example:" + port, "127.0.0.1:" + port + "x"}) {
    Reply reply = get("/api/v1/health", {{"Host", host}});
    EXPECT_EQ(reply.status, 403) << host;
    EXPECT_EQ(reply.body["error"], "Host '" + host + "' does not name this server") << host;
  }
  // A refused POST never reaches the control.
  Reply post_refused =
      post("/api/v1/sweeps/1/stop", "", "application/json", {{"Host", "rebound.example:" + port}});
  EXPECT_EQ(post_refused.status, 403);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
}

TEST_F(HttpApiTest, LoopbackNamesAreAcceptedAsHost) {
  const std::string port = std::to_string(port_);
  for (const std::string& host :
       std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port,
                                "[::1]:" + port, "localhost", "127.0.0.1"}) {
    EXPECT_EQ(get("/api/v1/health", {{"Host", host}}).status, 200) << host;
  }
}

TEST_F(HttpApiTest, ConfiguredHostNamesAreAccepted) {
  start_api(HttpApiOptions{.allowed_hosts = {"Head.Lab"}});
  const std::string port = std::to_string(port_);
  EXPECT_EQ(get("/api/v1/health", {{"Host", "head.lab:" + port}}).status, 200);
  EXPECT_EQ(get("/api/v1/health", {{"Host", "other.lab:" + port}}).status, 403);
}

TEST_F(HttpApiTest, MissingOrRepeatedHostIsRefused) {
  std::string missing =
      raw_exchange(port_, "GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(missing, StartsWith("HTTP/1.1 403"));
  EXPECT_THAT(missing, HasSubstr(R"({"error":"missing Host header"})"));

  const std::string host = "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
  std::string twice = raw_exchange(port_, "GET /api/v1/health HTTP/1.1\r\n" + host +
                                              "Host: evil.example\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(twice, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(twice, HasSubstr("Host header given more than once"));

  std::string fine =
      raw_exchange(port_, "GET /api/v1/health HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
  EXPECT_THAT(fine, StartsWith("HTTP/1.1 200"));
}

TEST_F(HttpApiTest, CrossOriginRequestsAreRefused) {
  const std::string port = std::to_string(port_);
  for (const std::string& origin : std::vector<std::string>{
           "http://evil.example", "http://evil.example:" + port, "null", "http://127.0.0.1:1",
           "http://127.0.0.1", "file://", "ftp://127.0.0.1:" + port,
           "http://127.0.0.1:" + port + "/path", "http://127.0.0.1:" + port + ".evil.example"}) {
    Reply reply = post("/api/v1/sweeps/1/stop", "", "application/json", {{"Origin", origin}});
    EXPECT_EQ(reply.status, 403) << origin;
    EXPECT_EQ(reply.body["error"], "cross-origin request from '" + origin + "' refused") << origin;
  }
  EXPECT_TRUE(control_->stopped_sweeps.empty());
  EXPECT_EQ(get("/api/v1/health", {{"Origin", "http://evil.example"}}).status, 403);
}

TEST_F(HttpApiTest, SameOriginRequestsAreServed) {
  const std::string port = std::to_string(port_);
  for (const std::string& origin :
       std::vector<std::string>{"http://127.0.0.1:" + port, "http://localhost:" + port,
                                "https://localhost:" + port, "http://[::1]:" + port}) {
    EXPECT_EQ(post("/api/v1/sweeps/1/stop", "", "application/json", {{"Origin", origin}}).status,
              200)
        << origin;
  }
  EXPECT_EQ(control_->stopped_sweeps.size(), 4u);
}

TEST_F(HttpApiTest, NoCorsHeadersAreSentAndPreflightIsNotAnswered) {
  Reply reply = reply_of(client_->Options("/api/v1/sweeps"));
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("Access-Control-Allow-Origin"), "");
  EXPECT_EQ(get("/api/v1/health").header("Access-Control-Allow-Origin"), "");
}

TEST_F(HttpApiTest, PathsThatClimbOutAreNotFound) {
  // No URL reaches the file system (the dashboard's files are embedded, trial output is in the
  // database), and a segment that decodes to '..' or holds '/' matches no route.
  store::SweepId sweep = add_sweep();
  add_trial(sweep, 0);
  for (const std::string path : {
           "/api/v1/trials/..%2F..%2Fetc/output/stdout",
           "/api/v1/trials/1/output/..%2F..%2Fetc%2Fpasswd",
           "/api/v1/trials/1/output/%2e%2e",
           "/api/v1/trials/%2e%2e/output/stdout",
           "/api/v1/sweeps/%2e%2e",
           "/api/v1/sweeps/1/..%2F..%2F..%2Fetc%2Fpasswd",
           "/api/v1/%2e%2e/%2e%2e/etc/passwd",
           "/assets/../../etc/passwd",
           "/assets/%2e%2e/%2e%2e/etc/passwd",
           "/assets/..%2F..%2Fetc%2Fpasswd",
           "/assets/%2Fetc%2Fpasswd",
           "/sweeps/%2e%2e/%2e%2e/etc/passwd",
           "/sweeps/..%2F..%2Fetc%2Fpasswd",
           "/trials/%2e%2e",
       }) {
    Reply reply = get(path);
    EXPECT_TRUE(reply.status == 404 || reply.status == 400) << path << ": " << reply.status;
    EXPECT_THAT(reply.raw, Not(HasSubstr("root:"))) << path;
  }
  // A metric key is a name looked up in the database, '/' and all: nothing is found.
  Reply key = get("/api/v1/trials/1/metrics/..%2F..%2Fetc%2Fpasswd");
  EXPECT_EQ(key.status, 200);
  EXPECT_EQ(key.body["key"], "../../etc/passwd");
  EXPECT_EQ(key.body["points"], json::array());
}

TEST_F(HttpApiTest, BodiesThatAreNotJsonAre415) {
  json body = {{"spec", std::string(kGridSpec)}};
  for (const std::string& type : std::vector<std::string>{
           "text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
    Reply reply = post("/api/v1/sweeps", body.dump(), type);
    EXPECT_EQ(reply.status, 415) << type;
    EXPECT_EQ(reply.body["error"], "request body must be application/json") << type;
  }
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "{}", "text/plain").status, 415);
  EXPECT_EQ(post("/api/v1/sweeps", body.dump(), "Application/JSON; charset=utf-8").status, 201);
  EXPECT_EQ(control_->submissions.size(), 1u);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
}

TEST_F(HttpApiTest, FormsCannotTriggerActionsEvenWithAnEmptyBody) {
  httplib::MultipartFormDataItems form = {{"force", "1", "", ""}};
  Reply multipart = reply_of(client_->Post("/api/v1/sweeps/1/stop", form));
  EXPECT_EQ(multipart.status, 415);
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "", "application/x-www-form-urlencoded").status, 415);
  EXPECT_EQ(post("/api/v1/trials/1/stop", "", "text/plain").status, 415);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
  EXPECT_TRUE(control_->stopped_trials.empty());
}

TEST_F(HttpApiTest, BodiesOverTheLimitAre413) {
  json body = {{"spec", std::string(4 << 20, 'a')}};
  Reply reply = post("/api/v1/sweeps", body.dump());
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body["error"], "request body exceeds 4194304 bytes");
  EXPECT_TRUE(control_->submissions.empty());
  // A body of exactly the limit is read.
  std::string at_limit = "{" + std::string((4 << 20) - 2, ' ') + "}";
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", at_limit).status, 200);
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", at_limit + " ").status, 413);
  EXPECT_THAT(control_->stopped_sweeps, ::testing::ElementsAre(1));
}

TEST_F(HttpApiTest, TheBodyLimitIsAnOption) {
  start_api(HttpApiOptions{.max_body_bytes = 64});
  Reply reply = post("/api/v1/sweeps/1/stop", "{" + std::string(100, ' ') + "}");
  EXPECT_EQ(reply.status, 413);
  EXPECT_EQ(reply.body["error"], "request body exceeds 64 bytes");
}

TEST_F(HttpApiTest, MalformedSubmissionsAreRefusedWithTheirReason) {
  struct Case {
    std::string body;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"",
            "malformed JSON body: parse error at line 1, column 1: syntax error while parsing "
            "value - unexpected end of input; expected '[', '{', or a literal"},
           {"{\"spec\": ",
            "malformed JSON body: parse error at line 1, column 10: syntax error "
            "while parsing value - unexpected end of input; expected '[', '{', or "
            "a literal"},
           {"[\"spec\"]", "the body must be a JSON object"},
           {"\"spec\"", "the body must be a JSON object"},
           {"{}", "missing field 'spec'"},
           {R"({"spec": 3})", "field 'spec' must be a string, not number"},
           {R"({"spec": null})", "field 'spec' must be a string, not null"},
           {R"({"spec": "a", "file_name": ["x"]})",
            "field 'file_name' must be a string, not array"},
           {R"({"spec": "a", "name": ""})", "field 'name' must not be empty"},
           {R"({"spec": "a", "file_name": ""})", "field 'file_name' must not be empty"},
           {R"({"spec": "a", "priority": 1})", "unknown field 'priority'"},
           {R"({"spec": "a", "spec": "b"})", "field 'spec' is given more than once"},
           {R"({"spec": "a"} {})",
            "malformed JSON body: parse error at line 1, column 15: syntax "
            "error while parsing value - unexpected '{'; expected end of "
            "input"},
       }) {
    Reply reply = post("/api/v1/sweeps", c.body);
    EXPECT_EQ(reply.status, 400) << c.body;
    EXPECT_EQ(reply.body["error"], c.error) << c.body;
  }
  EXPECT_TRUE(control_->submissions.empty());
}

TEST_F(HttpApiTest, DeeplyNestedBodiesAreRefusedBeforeParsing) {
  Reply reply = post("/api/v1/sweeps", std::string(3 << 20, '['));
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.body["error"], "the body nests deeper than 8 levels");
  // Brackets inside strings, escaped quotes included, are text.
  json body = {{"spec", "[[[[[[[[[[\"[[[[[[[[[[\"\\"}, {"nme", 1}};
  EXPECT_EQ(post("/api/v1/sweeps", body.dump()).body["error"], "unknown field 'nme'");
  EXPECT_TRUE(control_->submissions.empty());
}

TEST_F(HttpApiTest, InvalidUtf8InABodyIsRefused) {
  Reply reply = post("/api/v1/sweeps", "{\"spec\": \"method: grid\xff\"}");
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(std::string(reply.body["error"]), HasSubstr("ill-formed UTF-8"));
  EXPECT_TRUE(control_->submissions.empty());
}

TEST_F(HttpApiTest, StopEndsServingAndStartsOnlyOnce) {
  Result<int> again = api_->start("127.0.0.1", 0);
  EXPECT_FALSE(again.is_ok());
  api_->stop();
  api_->stop();  // idempotent
  client_->set_connection_timeout(std::chrono::seconds(1));
  EXPECT_FALSE(client_->Get("/api/v1/health"));
}

TEST_F(HttpApiTest, BindingAnAddressInUseFails) {
  HttpApi other(dir_.path() / "labsweep.db", *control_);
  Result<int> port = other.start("127.0.0.1", port_);
  ASSERT_FALSE(port.is_ok());
  EXPECT_EQ(port.status().message(),
            "cannot listen for HTTP on 127.0.0.1:" + std::to_string(port_));
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
