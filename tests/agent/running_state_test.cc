#include "agent/running_state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "agent/posix_process_launcher.h"
#include "agent/trial_environment.h"
#include "tests/agent/trial_test_helpers.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;
using testing::alive;
using testing::dies;
using ::testing::ElementsAre;
using testing::eventually;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::read_pid;
using testing::unique_trial_id;

TEST(RunningStateTest, KeepsWhatRunsAcrossARestart) {
  TempDir dir;
  RunningTrial a{1, 100, 100, 5555, "/w/trials/1", "/sys/fs/cgroup/x"};
  RunningTrial b{2, 200, 200, 6666, "/w/trials/2", ""};
  {
    RunningState state(dir.path() / "running.json");
    EXPECT_THAT(state.load().value(), IsEmpty());  // no file yet
    ASSERT_TRUE(state.add(a).is_ok());
    ASSERT_TRUE(state.add(b).is_ok());
    ASSERT_TRUE(state.remove(1).is_ok());
  }
  RunningState state(dir.path() / "running.json");
  EXPECT_THAT(state.load().value(), ElementsAre(b));
}

TEST(RunningStateTest, ADamagedFileIsAnErrorNamingIt) {
  TempDir dir;
  for (const char* text :
       {"", "{", "{}", "[1]", R"([{"trial_id": 1}])",
        R"([{"trial_id":"x","pid":1,"pgid":1,"start_time":1,"dir":"","cgroup":""}])"}) {
    std::string path = dir.write("running.json", text);
    Result<std::vector<RunningTrial>> loaded = RunningState(path).load();
    ASSERT_FALSE(loaded.is_ok()) << text;
    EXPECT_THAT(loaded.status().message(), HasSubstr(path)) << text;
  }
}

TEST(RunningStateTest, StartTimeIdentifiesAProcess) {
  std::optional<uint64_t> self = process_start_time(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_EQ(process_start_time(::getpid()), self);
  EXPECT_FALSE(process_start_time(0x3fffffff).has_value());
}

class LeftoverTest : public ::testing::Test {
 protected:
  // Launches `script` as the trial whose directory is `dir`.
  std::unique_ptr<Process> launch(const std::filesystem::path& dir, const std::string& script) {
    std::filesystem::create_directories(dir);
    LaunchSpec spec{{"sh", "-c", script},
                    {{"PATH", "/usr/bin:/bin"}, {"LABSWEEP_TRIAL_DIR", dir.string()}},
                    dir,
                    dir / "out",
                    dir / "err",
                    trial_marker(dir)};
    return launcher_.launch(spec).value();
  }

  TempDir dir_;
  PosixProcessLauncher launcher_;
};

TEST_F(LeftoverTest, EndsTheLeaderItsGroupAndItsDaemons) {
  int64_t id = unique_trial_id(1);
  auto leader = launch(dir_.path(), "setsid sh -c 'echo $$ > daemon; exec sleep 300' & sleep 300");
  int daemon = read_pid(dir_.path() / "daemon");
  ASSERT_GT(daemon, 0);
  RunningTrial t{
      id, leader->pid(), leader->pid(), process_start_time(leader->pid()).value(), dir_.path(), ""};
  end_leftover(t);
  std::optional<ExitStatus> status;
  EXPECT_TRUE(eventually([&] { return (status = leader->poll()).has_value(); }));
  EXPECT_EQ(status->signal, SIGKILL);
  EXPECT_TRUE(dies(daemon));
}

TEST_F(LeftoverTest, AReusedPidIsLeftAlone) {
  // A process the agent never started, now holding the pid a leftover leader once had.
  auto stranger = launch(dir_.path() / "stranger", "exec sleep 300");
  RunningTrial t{unique_trial_id(3), stranger->pid(),
                 stranger->pid(),    process_start_time(stranger->pid()).value() + 1,
                 dir_.path(),        ""};
  end_leftover(t);
  EXPECT_TRUE(alive(stranger->pid()));
  stranger.reset();  // kills it
}

}  // namespace
}  // namespace labsweep::agent
