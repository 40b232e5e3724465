// Where the CLI finds its API token (cli/client_token.h): $LABSWEEP_TOKEN, else the token file
// in the configuration directory, refused when others may read it.

#include "cli/client_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <optional>

#include "tests/support/temp_dir.h"

namespace labsweep::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Sets an environment variable for the test's duration and restores it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

class ClientTokenTest : public ::testing::Test {
 protected:
  labsweep::testing::TempDir dir_;
  ScopedEnv config_{"XDG_CONFIG_HOME", dir_.path().string()};
  ScopedEnv token_{"LABSWEEP_TOKEN", std::nullopt};
};

TEST_F(ClientTokenTest, TheFileIsInTheConfigDirectory) {
  EXPECT_EQ(client_token_path(), dir_.path() / "labsweep" / "token");
}

TEST_F(ClientTokenTest, NoTokenAnywhereIsNone) {
  Result<std::optional<std::string>> token = client_token();
  ASSERT_TRUE(token.is_ok()) << token.status().message();
  EXPECT_FALSE(token->has_value());
}

TEST_F(ClientTokenTest, ASavedTokenIsPrivateAndReadBack) {
  ASSERT_TRUE(save_client_token("lst_saved").is_ok());
  struct stat info {};
  ASSERT_EQ(::stat(client_token_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(client_token_path().parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  Result<std::optional<std::string>> token = client_token();
  ASSERT_TRUE(token.is_ok()) << token.status().message();
  EXPECT_EQ(*token, "lst_saved");
  // Saved again: replaced.
  ASSERT_TRUE(save_client_token("lst_other").is_ok());
  EXPECT_EQ(*client_token(), "lst_other");
}

TEST_F(ClientTokenTest, TheEnvironmentComesFirst) {
  ASSERT_TRUE(save_client_token("lst_saved").is_ok());
  ScopedEnv env("LABSWEEP_TOKEN", "  lst_from_env\n");
  EXPECT_EQ(*client_token(), "lst_from_env");
}

TEST_F(ClientTokenTest, AFileOthersMayReadIsRefused) {
  ASSERT_TRUE(save_client_token("lst_saved").is_ok());
  ASSERT_EQ(::chmod(client_token_path().c_str(), 0644), 0);
  Result<std::optional<std::string>> token = client_token();
  ASSERT_FALSE(token.is_ok());
  EXPECT_THAT(token.status().message(), HasSubstr("group or others may access it (mode 0644)"));
}

TEST_F(ClientTokenTest, MalformedTokensAreRefusedWithoutQuotingThem) {
  for (const std::string text : {"", "\n", "lst_a b", "lst_a\nlst_b", "lst_\xc3\xa9"}) {
    Result<std::string> token = token_from_text(text, "the file");
    ASSERT_FALSE(token.is_ok()) << text;
    EXPECT_THAT(token.status().message(), HasSubstr("the file does not hold a token")) << text;
    if (!text.empty() && text != "\n") {
      EXPECT_THAT(token.status().message(), Not(HasSubstr(text))) << text;
    }
  }
  EXPECT_EQ(*token_from_text(" \tlst_ok\r\n", "x"), "lst_ok");

  ScopedEnv env("LABSWEEP_TOKEN", "not a token");
  Result<std::optional<std::string>> token = client_token();
  ASSERT_FALSE(token.is_ok());
  EXPECT_THAT(token.status().message(), HasSubstr("$LABSWEEP_TOKEN does not hold a token"));
}

}  // namespace
}  // namespace labsweep::cli
