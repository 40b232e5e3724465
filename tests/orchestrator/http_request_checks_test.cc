// The pure checks behind the API: ids, integers, media types, Host and Origin, the router.

#include "orchestrator/http_request_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestrator/api_router.h"

namespace labsweep::orchestrator {
namespace {

TEST(ParsePositiveIdTest, AcceptsCanonicalPositiveIntegersOnly) {
  EXPECT_EQ(parse_positive_id("1"), 1);
  EXPECT_EQ(parse_positive_id("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "0", "00", "01", "-1", "+1", " 1", "1 ", "1abc", "abc", "1.5", "1e3",
                          "0x1f", "9223372036854775808", "18446744073709551616"}) {
    EXPECT_EQ(parse_positive_id(bad), std::nullopt) << bad;
  }
}

TEST(ParseInt64Test, AcceptsSignedIntegersInRange) {
  EXPECT_EQ(parse_int64("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(parse_int64("-5"), -5);
  EXPECT_EQ(parse_int64("007"), 7);
  for (const char* bad : {"", "-", "--1", "+5", "5-", "1_000", "-9223372036854775809", " 3"}) {
    EXPECT_EQ(parse_int64(bad), std::nullopt) << bad;
  }
}

TEST(JsonMediaTypeTest, NamesJsonWithAnyParameters) {
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON"));
  EXPECT_TRUE(is_json_media_type("application/json; charset=utf-8"));
  EXPECT_TRUE(is_json_media_type("application/json ;charset=utf-8"));
  EXPECT_FALSE(is_json_media_type(""));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/json-patch+json"));
  EXPECT_FALSE(is_json_media_type("application/jsonp"));
}

TEST(OriginPolicyTest, HostMustNameThisServerWithItsPortOrNone) {
  OriginPolicy policy("127.0.0.1", 8080, {});
  EXPECT_TRUE(policy.check_host("127.0.0.1:8080").is_ok());
  EXPECT_TRUE(policy.check_host("localhost").is_ok());
  EXPECT_TRUE(policy.check_host("[::1]:8080").is_ok());
  EXPECT_FALSE(policy.check_host("[::1]:8081").is_ok());
  EXPECT_FALSE(policy.check_host("::1").is_ok());  // an IPv6 Host is bracketed
  EXPECT_FALSE(policy.check_host("localhost:").is_ok());
  EXPECT_FALSE(policy.check_host("localhost:08080").is_ok());
  EXPECT_FALSE(policy.check_host("").is_ok());
  EXPECT_EQ(policy.check_host(std::nullopt).message(), "missing Host header");
}

TEST(OriginPolicyTest, TheBoundAddressAndConfiguredNamesCount) {
  OriginPolicy policy("::1", 9000, {"gpu-head.lab", "10.0.0.5"});
  EXPECT_TRUE(policy.check_host("[::1]:9000").is_ok());
  EXPECT_TRUE(policy.check_host("GPU-HEAD.lab:9000").is_ok());
  EXPECT_TRUE(policy.check_host("10.0.0.5").is_ok());
  EXPECT_TRUE(policy.check_origin("http://gpu-head.lab:9000").is_ok());
  EXPECT_FALSE(policy.check_origin("http://gpu-head.lab").is_ok());
  EXPECT_FALSE(policy.check_host("10.0.0.6:9000").is_ok());
}

TEST(OriginPolicyTest, OriginMustBeThisServersOwn) {
  OriginPolicy policy("127.0.0.1", 8080, {});
  EXPECT_TRUE(policy.check_origin(std::nullopt).is_ok());
  EXPECT_TRUE(policy.check_origin("http://127.0.0.1:8080").is_ok());
  EXPECT_TRUE(policy.check_origin("https://localhost:8080").is_ok());
  for (const char* bad :
       {"", "null", "http://127.0.0.1:8080/", "http://evil:8080", "ws://127.0.0.1:8080",
        "http://127.0.0.1:80", "127.0.0.1:8080", "http://user@127.0.0.1:8080"}) {
    EXPECT_FALSE(policy.check_origin(bad).is_ok()) << bad;
  }
}

TEST(ApiRouterTest, TellsMissingPathsFromWrongMethods) {
  ApiRouter router;
  ApiHandler handler = [](const ApiRequest&) { return ApiResponse{}; };
  router.add("GET", "/a/{id}", handler);
  router.add("POST", "/a/{id}", handler);
  router.add("GET", "/a/{id}/m/{key...}", handler);

  auto found = router.route("HEAD", "/a/7");
  ASSERT_TRUE(std::holds_alternative<ApiRouter::Found>(found));
  EXPECT_THAT(std::get<ApiRouter::Found>(found).args, ::testing::ElementsAre("7"));

  auto rest = router.route("GET", "/a/7/m/x/y");
  ASSERT_TRUE(std::holds_alternative<ApiRouter::Found>(rest));
  EXPECT_THAT(std::get<ApiRouter::Found>(rest).args, ::testing::ElementsAre("7", "x/y"));

  auto wrong = router.route("DELETE", "/a/7");
  ASSERT_TRUE(std::holds_alternative<ApiRouter::WrongMethod>(wrong));
  EXPECT_EQ(std::get<ApiRouter::WrongMethod>(wrong).allow, "GET, POST");

  for (const char* path : {"/a", "/a/", "/a//", "a/7", "/a/7/", "/a/7/m", "/b/7", ""}) {
    EXPECT_TRUE(std::holds_alternative<ApiRouter::Missing>(router.route("GET", path))) << path;
  }
}

}  // namespace
}  // namespace labsweep::orchestrator
