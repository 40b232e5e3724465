// The dashboard's files served by the HTTP API's server (docs/dashboard.md "Serving"): through
// real connections, with the files this build embedded.

#include <gmock/gmock.h>

#include <set>

#include "orchestrator/dashboard_assets.h"
#include "orchestrator/dashboard_routes.h"
#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string asset_body(std::string_view name) {
  std::optional<DashboardAsset> asset = find_dashboard_asset(name);
  return asset ? std::string(asset->body) : "";
}

void expect_security_headers(const Reply& reply) {
  EXPECT_EQ(reply.header("Content-Security-Policy"), kDashboardContentSecurityPolicy);
  EXPECT_THAT(reply.header("Content-Security-Policy"), HasSubstr("default-src 'self'"));
  EXPECT_THAT(reply.header("Content-Security-Policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(reply.header("Content-Security-Policy"), Not(HasSubstr("unsafe-inline")));
  EXPECT_EQ(reply.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(reply.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(reply.header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(reply.headers.count("X-Content-Type-Options"), 1u);
}

TEST_F(HttpApiTest, RootAndClientRoutesServeThePage) {
  for (const std::string path : {"/", "/sweeps/3", "/trials/12", "/agents", "/sweeps/3?sort=id"}) {
    Reply reply = get(path);
    EXPECT_EQ(reply.status, 200) << path;
    EXPECT_EQ(reply.header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(reply.raw, asset_body("index.html")) << path;
    EXPECT_THAT(reply.raw, HasSubstr("<html")) << path;
    EXPECT_EQ(reply.header("Cache-Control"), "no-cache") << path;
    expect_security_headers(reply);
  }
}

TEST_F(HttpApiTest, PathsThatAreNoRouteAreNotFound) {
  for (const std::string path : {"/sweeps/0", "/sweeps/abc", "/sweeps/", "/sweeps/3/x", "/agents/",
                                 "/index.html", "/assets/index.html", "/assets/nothing.js",
                                 "/assets/", "/assets/../index.html", "/favicon.ico"}) {
    Reply reply = get(path);
    EXPECT_EQ(reply.status, 404) << path;
    EXPECT_EQ(reply.header("Content-Type"), "application/json; charset=utf-8") << path;
  }
}

TEST_F(HttpApiTest, EveryEmbeddedFileIsServedWithItsContentType) {
  ASSERT_FALSE(dashboard_assets().empty());
  for (const DashboardAsset& asset : dashboard_assets()) {
    if (asset.name == "index.html") continue;
    Reply reply = get("/assets/" + std::string(asset.name));
    EXPECT_EQ(reply.status, 200) << asset.name;
    EXPECT_EQ(reply.header("Content-Type"), asset.content_type) << asset.name;
    EXPECT_EQ(reply.raw, asset.body) << asset.name;
    EXPECT_EQ(reply.header("ETag"), asset.etag) << asset.name;
    expect_security_headers(reply);
  }
}

#ifndef LABSWEEP_DASHBOARD_NOT_BUILT
TEST_F(HttpApiTest, TheBundleHasItsScriptsAndStylesheet) {
  Reply script = get("/assets/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_FALSE(script.raw.empty());
  EXPECT_THAT(script.raw, Not(HasSubstr("sourceMappingURL")));
  // uPlot comes apart, imported by the script when it first draws a chart.
  Reply charts = get("/assets/uplot.js");
  EXPECT_EQ(charts.status, 200);
  EXPECT_EQ(charts.header("Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_THAT(script.raw, HasSubstr("/assets/uplot.js"));
  EXPECT_THAT(script.raw, Not(HasSubstr("uPlot")));
  Reply style = get("/assets/app.css");
  EXPECT_EQ(style.status, 200);
  EXPECT_EQ(style.header("Content-Type"), "text/css; charset=utf-8");
  // The page loads them from this server only, and has no inline script.
  std::string page = asset_body("index.html");
  EXPECT_THAT(page, HasSubstr(R"(src="/assets/app.js")"));
  EXPECT_THAT(page, HasSubstr(R"(href="/assets/app.css")"));
  EXPECT_THAT(page, Not(HasSubstr("<script>")));
  EXPECT_THAT(page, Not(HasSubstr("http://")));
  EXPECT_THAT(page, Not(HasSubstr("https://")));
}
#endif

TEST_F(HttpApiTest, AMatchingIfNoneMatchIsANotModified) {
  Reply first = get("/sweeps/1");
  const std::string etag = first.header("ETag");
  ASSERT_THAT(etag, StartsWith("\""));
  Reply again = get("/sweeps/1", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.raw, "");
  EXPECT_EQ(again.header("ETag"), etag);
  expect_security_headers(again);
  EXPECT_EQ(get("/", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);
  EXPECT_EQ(get("/", {{"If-None-Match", "*"}}).status, 304);
  EXPECT_EQ(get("/", {{"If-None-Match", "\"stale\""}}).status, 200);
  EXPECT_EQ(get("/", {{"If-None-Match", etag.substr(1)}}).status, 200);
  EXPECT_EQ(get("/", {{"If-None-Match", ""}}).status, 200);
  EXPECT_EQ(get("/", {{"If-None-Match", ",,  ,"}}).status, 200);
}

TEST_F(HttpApiTest, EachFileHasItsOwnETag) {
  std::set<std::string_view> etags;
  for (const DashboardAsset& asset : dashboard_assets()) etags.insert(asset.etag);
  EXPECT_EQ(etags.size(), dashboard_assets().size());
}

TEST_F(HttpApiTest, ThePageIsOnlyRead) {
  Reply reply = post("/", "{}");
  EXPECT_EQ(reply.status, 405);
  EXPECT_EQ(reply.header("Allow"), "GET, HEAD");
  EXPECT_EQ(post("/sweeps/1", "{}").status, 405);
  EXPECT_EQ(reply_of(client_->Head("/sweeps/2")).status, 200);
}

TEST_F(HttpApiTest, ThePageHasTheApisHostAndOriginChecks) {
  const std::string port = std::to_string(port_);
  Reply foreign = get("/", {{"Host", "evil.example:" + port}});
  EXPECT_EQ(foreign.status, 403);
  EXPECT_EQ(foreign.raw.find("<html"), std::string::npos);
  EXPECT_EQ(get("/sweeps/1", {{"Host", "rebound.example"}}).status, 403);
  EXPECT_EQ(get("/sweeps/1", {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(get("/", {{"Origin", "http://127.0.0.1:" + port}}).status, 200);
  EXPECT_EQ(get("/", {{"Host", "localhost:" + port}}).status, 200);
}

TEST_F(HttpApiTest, TheApiKeepsItsOwnHeaders) {
  Reply reply = get("/api/v1/health");
  EXPECT_EQ(reply.header("Cache-Control"), "no-store");
  EXPECT_EQ(reply.header("Content-Security-Policy"), "");
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
