// Whose rights `labsweep agent`'s trials get: never root's unless asked for.

#include "cli/trial_user.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::cli {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr uid_t kRoot = 0;
constexpr uid_t kNobody = 65534;  // Debian's `nobody`
constexpr uid_t kSomeone = 1000;

TEST(TrialUserTest, AnAgentRunningAsRootRefusesToRunTrialsAsRoot) {
  Result<std::optional<agent::TrialUser>> refused = trial_user_for(kRoot, "", false);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(),
            "refusing to run trials as root: they run whatever the lab's researchers submit. Run "
            "the agent as an unprivileged user (the labsweep-agent service runs it as labsweep), "
            "or give it --trial-user USER to run trials as USER, or --allow-root");
  EXPECT_FALSE(trial_user_for(kRoot, "root", false).is_ok());
}

TEST(TrialUserTest, AllowRootLetsTrialsRunAsRoot) {
  Result<std::optional<agent::TrialUser>> allowed = trial_user_for(kRoot, "", true);
  ASSERT_TRUE(allowed.is_ok()) << allowed.status().message();
  EXPECT_FALSE(allowed->has_value());
  ASSERT_TRUE(trial_user_for(kRoot, "root", true).is_ok());
  EXPECT_FALSE(trial_user_for(kRoot, "root", true)->has_value());
}

TEST(TrialUserTest, RootRunsTrialsAsTheTrialUser) {
  Result<std::optional<agent::TrialUser>> user = trial_user_for(kRoot, "nobody", false);
  ASSERT_TRUE(user.is_ok()) << user.status().message();
  ASSERT_TRUE(user->has_value());
  const agent::TrialUser& nobody = **user;
  EXPECT_EQ(nobody.name, "nobody");
  EXPECT_EQ(nobody.uid, kNobody);
  EXPECT_EQ(nobody.gid, 65534u);
  EXPECT_THAT(nobody.groups, Contains(65534u));
  EXPECT_EQ(nobody.home, "/nonexistent");
}

TEST(TrialUserTest, AnUnprivilegedAgentRunsTrialsAsItself) {
  Result<std::optional<agent::TrialUser>> own = trial_user_for(kSomeone, "", false);
  ASSERT_TRUE(own.is_ok()) << own.status().message();
  EXPECT_FALSE(own->has_value());
  // Naming its own user changes nothing.
  ASSERT_TRUE(trial_user_for(kNobody, "nobody", false).is_ok());
  EXPECT_FALSE(trial_user_for(kNobody, "nobody", false)->has_value());
  Result<std::optional<agent::TrialUser>> other = trial_user_for(kSomeone, "nobody", false);
  ASSERT_FALSE(other.is_ok());
  EXPECT_EQ(other.status().message(),
            "--trial-user nobody: only an agent running as root may run trials as another user");
}

TEST(TrialUserTest, AnUnknownUserIsAnError) {
  Result<std::optional<agent::TrialUser>> unknown =
      trial_user_for(kRoot, "no-such-user-labsweep", false);
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_EQ(unknown.status().message(), "--trial-user: no user 'no-such-user-labsweep'");
}

}  // namespace
}  // namespace labsweep::cli
