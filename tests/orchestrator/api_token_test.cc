// Making API tokens, their digests and the constant-time lookup (orchestrator/api_token.h).

#include "orchestrator/api_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace labsweep::orchestrator {
namespace {

using ::testing::MatchesRegex;

TEST(ApiTokenTest, NewTokensAreLongRandomAndWellFormed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Result<std::string> token = make_api_token();
    ASSERT_TRUE(token.is_ok()) << token.status().message();
    EXPECT_THAT(*token, MatchesRegex("lst_[A-Za-z0-9_-]{43}"));
    EXPECT_TRUE(well_formed_api_token(*token));
    seen.insert(*token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ApiTokenTest, WellFormedMeansWhatAHeaderCanCarry) {
  for (const std::string& token :
       std::vector<std::string>{"a", "lst_abc-_", "abc.def~ghi+jk/l==", std::string(512, 'x')})
    EXPECT_TRUE(well_formed_api_token(token)) << token;
  for (std::string token :
       {std::string(""), std::string("a b"), std::string("a\r\nX-Evil: 1"), std::string("a\tb"),
        std::string("é"), std::string("a\0b", 3), std::string("\"quoted\""), std::string(513, 'x')})
    EXPECT_FALSE(well_formed_api_token(token)) << token;
}

TEST(ApiTokenTest, TheDigestIsSha256InLowerCaseHex) {
  // FIPS 180-2, appendix B.1.
  EXPECT_EQ(digest_hex(api_token_digest("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest_hex(api_token_digest("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ApiTokenTest, HexDigestsRoundTripAndMalformedOnesAreRefused) {
  TokenDigest digest = api_token_digest("lst_x");
  std::string hex = digest_hex(digest);
  EXPECT_EQ(parse_digest_hex(hex), digest);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(parse_digest_hex(upper), digest);
  for (const std::string& bad : std::vector<std::string>{
           "", hex.substr(1), hex + "0", "g" + hex.substr(1), " " + hex.substr(1),
           hex.substr(0, 63) + "\n", std::string(64, 'z')})
    EXPECT_FALSE(parse_digest_hex(bad).has_value()) << bad;
}

TEST(ApiTokenTest, ADigestIsKnownOnlyWhenItIsListed) {
  std::vector<TokenDigest> known = {api_token_digest("one"), api_token_digest("two")};
  EXPECT_TRUE(digest_is_known(api_token_digest("one"), known));
  EXPECT_TRUE(digest_is_known(api_token_digest("two"), known));
  EXPECT_FALSE(digest_is_known(api_token_digest("three"), known));
  EXPECT_FALSE(digest_is_known(api_token_digest("one"), {}));
  // One bit off in the last byte is no match.
  TokenDigest near = known[0];
  near[31] ^= 1;
  EXPECT_FALSE(digest_is_known(near, known));
}

}  // namespace
}  // namespace labsweep::orchestrator
