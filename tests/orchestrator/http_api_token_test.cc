// The HTTP API with tokens required (docs/http-api.md "Security"), through real connections: a
// request needs a listed token, a revoked one is refused from the next request, a foreign
// Origin is refused even with the right token, and the dashboard's files need none.

#include <gmock/gmock.h>

#include "orchestrator/api_token_gate.h"
#include "orchestrator/api_tokens.h"
#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kAlice = "lst_alice-0123456789abcdefghijklmnopqrstuvwxyzABC";
constexpr const char* kBob = "lst_bob-0123456789abcdefghijklmnopqrstuvwxyzABCDEF";

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

class HttpTokenTest : public HttpApiTest {
 protected:
  void SetUp() override {
    write_tokens({{"alice", kAlice}, {"bob", kBob}});
    auto gate = ApiTokenGate::open(tokens_file());
    ASSERT_TRUE(gate.is_ok()) << gate.status().message();
    gate_ = std::move(*gate);
    start_api(HttpApiOptions{.tokens = gate_.get()});
  }

  void write_tokens(const std::vector<std::pair<std::string, std::string>>& name_and_token) {
    ApiTokens tokens;
    for (const auto& [name, token] : name_and_token)
      ASSERT_TRUE(tokens.add({.name = name, .digest = api_token_digest(token)}).is_ok());
    ASSERT_TRUE(tokens.write(tokens_file()).is_ok());
  }
  std::filesystem::path tokens_file() const { return dir_.path() / "api_tokens"; }

  std::unique_ptr<ApiTokenGate> gate_;  // outlives the API: the base's TearDown ends that first
};

TEST_F(HttpTokenTest, ARequestWithoutATokenIs401WithABearerChallenge) {
  for (const std::string path :
       {"/api/v1/sweeps", "/api/v1/health", "/api/v1/agents", "/api/v1/nothing", "/nothing"}) {
    Reply reply = get(path);
    EXPECT_EQ(reply.status, 401) << path;
    EXPECT_EQ(reply.header("WWW-Authenticate"), "Bearer realm=\"labsweep\"") << path;
    EXPECT_EQ(reply.body["error"],
              "this server requires an API token: send 'Authorization: Bearer TOKEN'")
        << path;
  }
  Reply post_refused = post("/api/v1/sweeps/1/stop", "{}");
  EXPECT_EQ(post_refused.status, 401);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
}

TEST_F(HttpTokenTest, AWrongTokenIs401AndIsNotRepeatedBack) {
  const std::string wrong = std::string(kAlice) + "x";
  for (const std::string& token : {wrong, std::string("lst_"), std::string(kAlice).substr(1)}) {
    Reply reply = get("/api/v1/sweeps", bearer(token));
    EXPECT_EQ(reply.status, 401) << token;
    EXPECT_EQ(reply.header("WWW-Authenticate"),
              "Bearer realm=\"labsweep\", error=\"invalid_token\"");
    EXPECT_EQ(reply.body["error"],
              "the API token is not valid (revoked, mistyped, or for another server)");
    EXPECT_THAT(reply.raw, Not(HasSubstr(token)));
  }
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "{}", "application/json", bearer(wrong)).status, 401);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
}

TEST_F(HttpTokenTest, AnAuthorizationHeaderOfAnotherFormIs401) {
  for (const std::string& value : {std::string("Basic YWxpY2U6cGFzcw=="), std::string(kAlice),
                                   std::string("Bearer"), std::string("Bearer ")}) {
    Reply reply = get("/api/v1/sweeps", {{"Authorization", value}});
    EXPECT_EQ(reply.status, 401) << value;
    EXPECT_EQ(reply.body["error"], "the Authorization header must be 'Bearer TOKEN'") << value;
  }
}

TEST_F(HttpTokenTest, TwoAuthorizationHeadersAre400) {
  httplib::Headers two = {{"Authorization", std::string("Bearer ") + kAlice},
                          {"Authorization", std::string("Bearer ") + kBob}};
  Reply reply = get("/api/v1/sweeps", two);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.body["error"], "Authorization header given more than once");
}

TEST_F(HttpTokenTest, AListedTokenIsServed) {
  EXPECT_EQ(get("/api/v1/sweeps", bearer(kAlice)).status, 200);
  EXPECT_EQ(get("/api/v1/health", bearer(kBob)).status, 200);
  EXPECT_EQ(get("/api/v1/sweeps", {{"Authorization", std::string("bearer ") + kAlice}}).status,
            200);
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "{}", "application/json", bearer(kAlice)).status, 200);
  EXPECT_THAT(control_->stopped_sweeps, ::testing::ElementsAre(1));
  // Past the token, the API answers as ever.
  EXPECT_EQ(get("/api/v1/nothing", bearer(kAlice)).status, 404);
}

TEST_F(HttpTokenTest, ARevokedTokenIsRefusedFromTheNextRequest) {
  ASSERT_EQ(get("/api/v1/sweeps", bearer(kAlice)).status, 200);
  write_tokens({{"bob", kBob}});
  EXPECT_EQ(get("/api/v1/sweeps", bearer(kAlice)).status, 401);
  EXPECT_EQ(get("/api/v1/sweeps", bearer(kBob)).status, 200);
}

TEST_F(HttpTokenTest, AForeignOriginIsRefusedEvenWithTheRightToken) {
  httplib::Headers headers = bearer(kAlice);
  headers.emplace("Origin", "http://evil.example");
  Reply reply = post("/api/v1/sweeps/1/stop", "{}", "application/json", headers);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.body["error"], "cross-origin request from 'http://evil.example' refused");
  EXPECT_EQ(get("/api/v1/sweeps",
                {{"Host", "evil.example"}, {"Authorization", std::string("Bearer ") + kAlice}})
                .status,
            403);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
  // The same request from the server's own page is served.
  headers = bearer(kAlice);
  headers.emplace("Origin", "http://127.0.0.1:" + std::to_string(port_));
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "{}", "application/json", headers).status, 200);
}

TEST_F(HttpTokenTest, TheDashboardsFilesNeedNoToken) {
  // They hold no data, and the page must load to ask for the token.
  for (const std::string path : {"/", "/sweeps/3", "/trials/12", "/agents"})
    EXPECT_EQ(get(path).status, 200) << path;
  EXPECT_EQ(get("/assets/nothing.js").status, 404);
}

TEST_F(HttpApiTest, OnLoopbackWithoutATokenGateTheApiRunsOpen) {
  EXPECT_EQ(get("/api/v1/sweeps").status, 200);
  // A token sent anyway (a CLI configured for another server) is ignored.
  EXPECT_EQ(get("/api/v1/sweeps", bearer("lst_anything")).status, 200);
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
