// An agent running as root starts its trials as another user (TrialSetup::user): real trial
// processes through the real launcher and labsweep-trial-shim, as `nobody`. Root only: skipped,
// saying why, otherwise.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/agent/trial_runner_fixture.h"
#include "tests/agent/trial_test_helpers.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;
using testing::eventually;
using ::testing::HasSubstr;
using testing::slurp;

constexpr uid_t kNobody = 65534;  // Debian's `nobody` and `nogroup`

uid_t owner_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_uid;
}

class TrialRunnerUserTest : public testing::TrialRunnerFixture {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to start trials as another user";
    // The trial's user must be able to reach its directory.
    ASSERT_EQ(::chmod(work_.path().c_str(), 0755), 0);
    ASSERT_TRUE(setup_.shim.has_value());
    setup_.user = TrialUser{"nobody", kNobody, kNobody, {kNobody}, "/nonexistent"};
  }

  protocol::Assign assign(int k, std::vector<std::string> argv) {
    return assign_argv(k, std::move(argv));
  }
};

TEST_F(TrialRunnerUserTest, TheTrialRunsAsTheUserInADirectoryAndWithASocketOfItsOwn) {
  // It reports a metric on its socket, which only its user (and root) may connect to.
  const std::string report =
      "import os, socket\n"
      "s = socket.socket(socket.AF_UNIX)\n"
      "s.connect(os.environ['LABSWEEP_SOCKET'])\n"
      "s.sendall(b'{\"step\": 1, \"loss\": 0.5}\\n')\n"
      "s.close()\n";
  protocol::Assign a =
      assign(1, {"sh", "-c", "id -u; id -g; id -G; touch mine && python3 -c \"$0\"", report});
  auto runner = TrialRunner::start(a, setup_, launcher_, clock_);
  ASSERT_TRUE(runner.is_ok()) << runner.status().message();
  TrialRunner& trial = **runner;
  std::vector<TrialSocketEvent> events;
  std::optional<ExitStatus> status;
  EXPECT_TRUE(eventually([&] {
    for (TrialSocketEvent& e : trial.socket().service()) events.push_back(std::move(e));
    return (status = trial.poll()).has_value();
  }));
  for (TrialSocketEvent& e : trial.socket().service()) events.push_back(std::move(e));
  EXPECT_EQ(status, (ExitStatus{0, 0})) << trial.stderr_tail();
  EXPECT_EQ(slurp(trial.dir() / "stdout.log"), "65534\n65534\n65534\n");
  EXPECT_EQ(owner_of(trial.dir()), kNobody);
  EXPECT_EQ(owner_of(trial.dir() / "mine"), kNobody);
  EXPECT_EQ(owner_of(trial.dir() / "stdout.log"), kNobody);
  EXPECT_EQ(owner_of(trial.dir() / "params.json"), kNobody);
  EXPECT_FALSE(events.empty());  // the report arrived
}

TEST_F(TrialRunnerUserTest, TheAgentDoesNotFollowALinkTheTrialPutInPlaceOfItsOutput) {
  TempDir elsewhere;
  std::string secret = elsewhere.write("secret", "only root may read this\n");
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  protocol::Assign a =
      assign(2, {"sh", "-c", "rm stderr.log && ln -s \"$0\" stderr.log && cat \"$0\"", secret});
  auto runner = TrialRunner::start(a, setup_, launcher_, clock_);
  ASSERT_TRUE(runner.is_ok()) << runner.status().message();
  EXPECT_EQ(wait(**runner).exit_code, 1);  // cat: Permission denied, as nobody
  EXPECT_EQ((*runner)->stderr_tail(), "");
}

TEST_F(TrialRunnerUserTest, WithoutTheShimTheTrialIsNotStarted) {
  setup_.shim.reset();
  auto runner = TrialRunner::start(assign(3, {"true"}), setup_, launcher_, clock_);
  ASSERT_FALSE(runner.is_ok());
  EXPECT_EQ(runner.status().message(),
            "cannot start 'true' as nobody: that needs labsweep-trial-shim, which is not installed "
            "beside labsweep");
}

TEST_F(TrialRunnerUserTest, TheShimRunsNothingWithoutAllThreeIds) {
  labsweep::testing::ProcessResult half =
      labsweep::testing::run_process({setup_.shim->string(), "--uid", "65534", "--", "true"});
  EXPECT_EQ(half.exit_code, 127);
  EXPECT_THAT(half.err, HasSubstr("usage: labsweep-trial-shim"));
  labsweep::testing::ProcessResult named = labsweep::testing::run_process(
      {setup_.shim->string(), "--uid", "nobody", "--gid", "0", "--groups", "", "--", "true"});
  EXPECT_EQ(named.exit_code, 127);
  labsweep::testing::ProcessResult ids =
      labsweep::testing::run_process({setup_.shim->string(), "--uid", "65534", "--gid", "65534",
                                      "--groups", "", "--", "id", "-u"});
  EXPECT_EQ(ids.exit_code, 0) << ids.err;
  EXPECT_EQ(ids.out, "65534\n");
}

}  // namespace
}  // namespace labsweep::agent
