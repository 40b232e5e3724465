// The api_tokens file (orchestrator/api_tokens.h, docs/security.md "HTTP API"): parsing, its
// malformed lines, its mode, and changes.

#include "orchestrator/api_tokens.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string hex_of(const std::string& token) { return digest_hex(api_token_digest(token)); }

TEST(ApiTokensTest, ParsesNamesDigestsCommentsAndBlankLines) {
  auto tokens = ApiTokens::parse("# the lab's tokens\n\nalice " + hex_of("a") + "\n  ci.bot-2\t" +
                                     hex_of("b") + "   # the CI\r\n#" + "\n",
                                 "api_tokens");
  ASSERT_TRUE(tokens.is_ok()) << tokens.status().message();
  ASSERT_EQ(tokens->entries().size(), 2u);
  EXPECT_EQ(tokens->entries()[0].name, "alice");
  EXPECT_EQ(tokens->entries()[0].digest, api_token_digest("a"));
  EXPECT_EQ(tokens->entries()[1].name, "ci.bot-2");
  EXPECT_EQ(tokens->entries()[1].digest, api_token_digest("b"));
}

TEST(ApiTokensTest, AnEmptyFileListsNoToken) {
  for (const std::string text : {"", "\n\n", "# nothing yet\n"}) {
    auto tokens = ApiTokens::parse(text, "t");
    ASSERT_TRUE(tokens.is_ok()) << text;
    EXPECT_TRUE(tokens->entries().empty()) << text;
  }
}

TEST(ApiTokensTest, MalformedLinesAreErrorsNamingFileAndLine) {
  const std::string a = hex_of("a");
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"# ok\nalice\n", "t:2: expected 'NAME SHA256', found 1 words"},
      {"alice " + a + " extra\n", "t:1: expected 'NAME SHA256', found 3 words"},
      {a + "\n", "t:1: expected 'NAME SHA256', found 1 words"},
      {"alice " + a.substr(1) + "\n",
       "t:1: the SHA-256 must be 64 hexadecimal digits (found 63 characters)"},
      {"alice " + a + "0\n",
       "t:1: the SHA-256 must be 64 hexadecimal digits (found 65 characters)"},
      {"alice " + std::string(64, 'g') + "\n",
       "t:1: the SHA-256 must be 64 hexadecimal digits (found 64 characters)"},
      {"al/ice " + a + "\n", "t:1: the name must be 1 to 64 letters, digits, '.', '_' or '-'"},
      {std::string(65, 'n') + " " + a + "\n", "t:1: the name must be 1 to 64 letters"},
      {"\xc3\xa9 " + a + "\n", "t:1: the name must be 1 to 64 letters"},
      {"alice " + a + "\n\n# x\nalice " + hex_of("b") + "\n", "t:4: the name is already on line 1"},
      {"alice " + a + "\nbob " + hex_of("b") + "\ncarol " + hex_of("b") + "\n",
       "t:3: the SHA-256 is already on line 2"},
  };
  for (const Case& c : cases) {
    auto tokens = ApiTokens::parse(c.text, "t");
    ASSERT_FALSE(tokens.is_ok()) << c.text;
    EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(tokens.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(ApiTokensTest, ATokenPastedIntoTheFileIsNotRepeatedInTheError) {
  const std::string token = "lst_pasted-by-mistake-0123456789abcdefghijklm";
  for (const std::string& text : std::vector<std::string>{
           "alice " + token + "\n", token + "\n", token + " alice\n",
           "alice " + hex_of(token) + "\n" + token + " " + hex_of(token) + "\n",
           "alice " + hex_of("a") + "\nalice+" + token + " " + hex_of("b")}) {
    auto tokens = ApiTokens::parse(text, "t");
    ASSERT_FALSE(tokens.is_ok()) << text;
    EXPECT_THAT(tokens.status().message(), Not(HasSubstr(token))) << text;
  }
}

TEST(ApiTokensTest, AddAndRemoveByName) {
  ApiTokens tokens;
  ASSERT_TRUE(tokens.add({.name = "alice", .digest = api_token_digest("a")}).is_ok());
  ASSERT_TRUE(tokens.add({.name = "bob", .digest = api_token_digest("b")}).is_ok());
  Status taken = tokens.add({.name = "alice", .digest = api_token_digest("c")});
  EXPECT_EQ(taken.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(taken.message(), HasSubstr("a token named 'alice' exists"));
  EXPECT_EQ(tokens.add({.name = "carol", .digest = api_token_digest("a")}).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(tokens.add({.name = "no name", .digest = api_token_digest("d")}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(tokens.remove("alice").is_ok());
  Status missing = tokens.remove("alice");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "no token is named 'alice'");
  ASSERT_EQ(tokens.entries().size(), 1u);
  EXPECT_EQ(tokens.entries()[0].name, "bob");
}

TEST(ApiTokensTest, TheFileRoundTripsWithMode0600AndIsRefusedWhenOthersMayReadIt) {
  testing::TempDir dir;
  const auto path = dir.path() / "api_tokens";
  auto missing = ApiTokens::read(path);
  ASSERT_TRUE(missing.is_ok()) << missing.status().message();
  EXPECT_TRUE(missing->entries().empty());

  ApiTokens tokens;
  ASSERT_TRUE(tokens.add({.name = "alice", .digest = api_token_digest("a")}).is_ok());
  ASSERT_TRUE(tokens.write(path).is_ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = ApiTokens::read(path);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  ASSERT_EQ(read->entries().size(), 1u);
  EXPECT_EQ(read->entries()[0].digest, api_token_digest("a"));

  for (mode_t mode : {0640, 0604, 0620}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto refused = ApiTokens::read(path);
    ASSERT_FALSE(refused.is_ok()) << std::oct << mode;
    EXPECT_THAT(refused.status().message(), HasSubstr("group or others may access it"));
  }
}

TEST(ApiTokensTest, ASymbolicLinkIsNotFollowed) {
  testing::TempDir dir;
  ApiTokens tokens;
  ASSERT_TRUE(tokens.add({.name = "alice", .digest = api_token_digest("a")}).is_ok());
  ASSERT_TRUE(tokens.write(dir.path() / "real").is_ok());
  std::filesystem::create_symlink(dir.path() / "real", dir.path() / "api_tokens");
  EXPECT_FALSE(ApiTokens::read(dir.path() / "api_tokens").is_ok());
  std::filesystem::create_symlink(dir.path() / "nowhere", dir.path() / "dangling");
  EXPECT_FALSE(ApiTokens::read(dir.path() / "dangling").is_ok());
}

}  // namespace
}  // namespace labsweep::orchestrator
