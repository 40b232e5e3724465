// TrialRunner with the real POSIX launcher and small /bin/sh trials. labsweep itself never
// runs a trial through a shell; the tests use one to make processes that misbehave.

#include "agent/trial_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "tests/agent/trial_runner_fixture.h"
#include "tests/agent/trial_test_helpers.h"

namespace labsweep::agent {
namespace {

using std::chrono::milliseconds;
using testing::alive;
using testing::dies;
using testing::eventually;
using ::testing::HasSubstr;
using testing::read_pid;
using testing::slurp;
using ::testing::StartsWith;

class TrialRunnerTest : public testing::TrialRunnerFixture {
 protected:
  protocol::Assign assign(int k, std::string script) {
    protocol::Assign a = assign_argv(k, {"sh", "-c", std::move(script)});
    a.params_json = R"({"lr": 0.1})";
    return a;
  }

  std::unique_ptr<TrialRunner> start(const protocol::Assign& a) {
    Result<std::unique_ptr<TrialRunner>> runner = TrialRunner::start(a, setup_, launcher_, clock_);
    EXPECT_TRUE(runner.is_ok()) << runner.status().message();
    return runner ? std::move(runner).value() : nullptr;
  }
};

TEST_F(TrialRunnerTest, RunsInItsDirectoryWithParamsEnvironmentAndOutputFiles) {
  protocol::Assign a =
      assign(1, "env > env.txt; cat \"$LABSWEEP_PARAMS_FILE\"; echo bad >&2; exit 3");
  a.gpus = {2, 0};
  auto runner = start(a);
  ASSERT_TRUE(runner);
  std::filesystem::path dir = work_.path() / "trials" / std::to_string(a.trial_id);
  EXPECT_EQ(runner->dir(), dir);
  EXPECT_EQ(wait(*runner), (ExitStatus{3, 0}));
  std::string env = slurp(dir / "env.txt");
  EXPECT_THAT(env, HasSubstr("LABSWEEP_TRIAL_ID=" + std::to_string(a.trial_id) + "\n"));
  EXPECT_THAT(env, HasSubstr("LABSWEEP_SWEEP_ID=5\n"));
  EXPECT_THAT(env, HasSubstr("LABSWEEP_TRIAL_DIR=" + dir.string() + "\n"));
  EXPECT_THAT(env, HasSubstr("LABSWEEP_PARAMS_FILE=" + (dir / "params.json").string() + "\n"));
  EXPECT_THAT(env, HasSubstr("LABSWEEP_SOCKET=" + (dir / "labsweep.sock").string() + "\n"));
  EXPECT_THAT(env, HasSubstr("CUDA_VISIBLE_DEVICES=2,0\n"));
  EXPECT_THAT(env, HasSubstr("CUDA_DEVICE_ORDER=PCI_BUS_ID\n"));
  EXPECT_EQ(slurp(dir / "stdout.log"), "{\"lr\": 0.1}\n");
  EXPECT_EQ(runner->stderr_tail(), "bad\n");
  EXPECT_EQ(runner->record().trial_id, a.trial_id);
  EXPECT_GT(runner->record().start_time, 0u);
}

TEST_F(TrialRunnerTest, ASecondAttemptGetsAFreshDirectory) {
  protocol::Assign a = assign(2, "echo $LABSWEEP_TRIAL_DIR");
  auto first = start(a);
  ASSERT_TRUE(first);
  wait(*first);
  auto second = start(a);
  ASSERT_TRUE(second);
  wait(*second);
  EXPECT_EQ(second->dir().filename(), std::to_string(a.trial_id) + "-2");
  EXPECT_EQ(slurp(second->dir() / "stdout.log"), second->dir().string() + "\n");
  EXPECT_THAT(slurp(first->dir() / "stdout.log"), ::testing::Not(HasSubstr("-2")));
}

TEST_F(TrialRunnerTest, ASocketPathTooLongForUnixSocketsGoesToTheRuntimeDirectory) {
  setup_.work_dir = work_.path() / std::string(90, 'w');
  protocol::Assign a = assign(3, "echo $LABSWEEP_SOCKET; test -S \"$LABSWEEP_SOCKET\"");
  auto runner = start(a);
  ASSERT_TRUE(runner);
  EXPECT_EQ(wait(*runner), (ExitStatus{0, 0}));  // the socket exists while the trial runs
  std::string path = slurp(runner->dir() / "stdout.log");
  EXPECT_THAT(path, StartsWith(runtime_.path().string() + "/"));
  EXPECT_LE(path.size() - 1, 107u);
}

TEST_F(TrialRunnerTest, StopSendsTheNoticeThenTermThenKillOnTheClock) {
  protocol::Assign a =
      assign(4, "trap 'echo term' TERM; echo $$ > pid; while :; do sleep 0.01; done");
  auto runner = start(a);
  ASSERT_TRUE(runner);
  int pid = read_pid(runner->dir() / "pid");
  runner->stop("by user");
  EXPECT_TRUE(runner->stopping());
  EXPECT_TRUE(runner->socket().stop_notice_sent());
  clock_.advance(milliseconds(999));
  EXPECT_FALSE(runner->poll().has_value());
  clock_.advance(milliseconds(1));
  EXPECT_FALSE(runner->poll().has_value());  // SIGTERM, which it ignores
  EXPECT_TRUE(eventually([&] { return slurp(runner->dir() / "stdout.log") == "term\n"; }));
  EXPECT_TRUE(alive(pid));
  clock_.advance(milliseconds(1000));
  EXPECT_EQ(wait(*runner), (ExitStatus{0, SIGKILL}));
}

TEST_F(TrialRunnerTest, TheShimIsBuiltNextToTheTests) { ASSERT_TRUE(setup_.shim.has_value()); }

TEST_F(TrialRunnerTest, ADaemonThatLeftTheSessionDiesWithTheTrial) {
  setup_.cgroup_parent = std::nullopt;  // the marker alone
  setup_.shim = std::nullopt;
  auto runner = start(assign(5, "setsid sh -c 'echo $$ > daemon; exec sleep 300' & exit 0"));
  ASSERT_TRUE(runner);
  int daemon = read_pid(runner->dir() / "daemon");
  ASSERT_GT(daemon, 0);
  EXPECT_EQ(wait(*runner), (ExitStatus{0, 0}));
  EXPECT_TRUE(dies(daemon));
}

TEST_F(TrialRunnerTest, TheCgroupEndsADaemonThatDroppedTheMarker) {
  setup_.cgroup_parent = writable_cgroup_parent();
  if (!setup_.cgroup_parent) GTEST_SKIP() << "no writable cgroup v2 here";
  ASSERT_TRUE(setup_.shim.has_value());  // joins the cgroup before the command can fork
  auto runner = start(assign(
      6, "env -u LABSWEEP_TRIAL_DIR setsid sh -c 'echo $$ > daemon; exec sleep 300' & exit 0"));
  ASSERT_TRUE(runner);
  ASSERT_TRUE(runner->uses_cgroup());
  std::filesystem::path cgroup = runner->record().cgroup;
  EXPECT_TRUE(std::filesystem::is_directory(cgroup));
  int daemon = read_pid(runner->dir() / "daemon");
  ASSERT_GT(daemon, 0);
  EXPECT_THAT(slurp("/proc/" + std::to_string(daemon) + "/cgroup"),
              HasSubstr(cgroup.filename().string()));
  EXPECT_EQ(wait(*runner), (ExitStatus{0, 0}));
  EXPECT_TRUE(dies(daemon));
  runner.reset();
  EXPECT_FALSE(std::filesystem::exists(cgroup));
}

TEST_F(TrialRunnerTest, DestroyingARunningTrialKillsIt) {
  auto runner = start(assign(7, "echo $$ > pid; exec sleep 300"));
  ASSERT_TRUE(runner);
  int pid = read_pid(runner->dir() / "pid");
  runner.reset();
  EXPECT_TRUE(dies(pid));
}

TEST_F(TrialRunnerTest, WithoutTheShimTheLeaderIsMovedIntoTheCgroup) {
  setup_.cgroup_parent = writable_cgroup_parent();
  if (!setup_.cgroup_parent) GTEST_SKIP() << "no writable cgroup v2 here";
  setup_.shim = std::nullopt;
  auto runner = start(assign(11, "echo $$ > pid; exec sleep 300"));
  ASSERT_TRUE(runner);
  ASSERT_TRUE(runner->uses_cgroup());
  int pid = read_pid(runner->dir() / "pid");
  EXPECT_THAT(slurp("/proc/" + std::to_string(pid) + "/cgroup"),
              HasSubstr(runner->record().cgroup.filename().string()));
  runner.reset();
  EXPECT_TRUE(dies(pid));
}

// The shim's --parent: when the process that started the shim dies, as the agent does when it
// is killed, the shim kills its whole trial: the command and everything in its group.
TEST_F(TrialRunnerTest, WhenItsParentDiesTheShimKillsTheWholeTrial) {
  ASSERT_TRUE(setup_.shim.has_value());
  // The parent is this sh; setsid puts the shim and its command in a group of their own, beyond
  // the launcher's reach, so that only the shim can end them.
  std::string command = "sh -c 'sleep 300 & echo $! > grandchild; echo $$ > pid; wait'";
  LaunchSpec spec{{"sh", "-c",
                   "setsid " + setup_.shim->string() + " --parent $$ -- " + command +
                       " & while ! test -s pid; do sleep 0.01; done"},
                  {{"PATH", "/usr/bin:/bin"}},
                  work_.path(),
                  work_.path() / "out",
                  work_.path() / "err",
                  ""};
  std::unique_ptr<Process> parent = launcher_.launch(spec).value();
  int child = read_pid(work_.path() / "pid");
  int grandchild = read_pid(work_.path() / "grandchild");
  ASSERT_GT(child, 0);
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(eventually([&] { return parent->poll().has_value(); }));
  EXPECT_TRUE(dies(child));
  EXPECT_TRUE(dies(grandchild));
}

TEST_F(TrialRunnerTest, WhenItsParentDiesTheShimKillsTheTrialsCgroup) {
  ASSERT_TRUE(setup_.shim.has_value());
  std::optional<std::filesystem::path> parent_cgroup = writable_cgroup_parent();
  if (!parent_cgroup) GTEST_SKIP() << "no writable cgroup v2 here";
  auto cgroup =
      TrialCgroup::create(*parent_cgroup, "labsweep-test-" + std::to_string(::getpid())).value();
  // A daemon in its own session: neither the shim's group nor the marker reach it.
  std::string command = "sh -c 'setsid sh -c \"echo \\$\\$ > daemon; exec sleep 300\" & wait'";
  LaunchSpec spec{
      {"sh", "-c",
       "setsid " + setup_.shim->string() + " --cgroup " + cgroup->dir().string() +
           " --parent $$ -- " + command + " & while ! test -s daemon; do sleep 0.01; done"},
      {{"PATH", "/usr/bin:/bin"}},
      work_.path(),
      work_.path() / "out",
      work_.path() / "err",
      ""};
  std::unique_ptr<Process> parent = launcher_.launch(spec).value();
  int daemon = read_pid(work_.path() / "daemon");
  ASSERT_GT(daemon, 0);
  EXPECT_TRUE(eventually([&] { return parent->poll().has_value(); }));
  EXPECT_TRUE(dies(daemon));
}

TEST_F(TrialRunnerTest, TheShimExitsAsItsCommandDid) {
  ASSERT_TRUE(setup_.shim.has_value());
  auto run = [&](const std::string& script) {
    LaunchSpec spec{
        {setup_.shim->string(), "--parent", std::to_string(::getpid()), "--", "sh", "-c", script},
        {{"PATH", "/usr/bin:/bin"}},
        work_.path(),
        "out",
        "err",
        ""};
    std::unique_ptr<Process> shim = launcher_.launch(spec).value();
    std::optional<ExitStatus> status;
    EXPECT_TRUE(eventually([&] { return (status = shim->poll()).has_value(); }));
    return status.value_or(ExitStatus{-1, -1});
  };
  EXPECT_EQ(run("exit 7"), (ExitStatus{7, 0}));
  EXPECT_EQ(run("kill -SEGV $$"), (ExitStatus{0, SIGSEGV}));
  EXPECT_EQ(run("exec /no/such/program"), (ExitStatus{127, 0}));
}

TEST_F(TrialRunnerTest, TheShimRefusesBadArguments) {
  ASSERT_TRUE(setup_.shim.has_value());
  LaunchSpec spec{{setup_.shim->string(), "--bogus"}, {}, work_.path(), "out", "err", ""};
  std::unique_ptr<Process> shim = launcher_.launch(spec).value();
  std::optional<ExitStatus> status;
  EXPECT_TRUE(eventually([&] { return (status = shim->poll()).has_value(); }));
  EXPECT_EQ(status->exit_code, 127);
  EXPECT_THAT(slurp(work_.path() / "err"), HasSubstr("usage: labsweep-trial-shim"));
}

TEST_F(TrialRunnerTest, CommandsAreResolvedInTheTrialsPath) {
  EXPECT_EQ(resolve_command("sh", {{"PATH", "/nonexistent:/bin"}}).value(), "/bin/sh");
  EXPECT_EQ(resolve_command("/bin/sh", {}).value(), "/bin/sh");
  EXPECT_EQ(resolve_command("sh", {{"PATH", "/nonexistent"}}).status().message(),
            "cannot start 'sh': No such file or directory");
  EXPECT_FALSE(resolve_command("/etc/passwd", {}).is_ok());  // not executable
}

TEST_F(TrialRunnerTest, StartFailuresSayWhy) {
  protocol::Assign missing = assign(8, "");
  missing.argv = {"/no/such/program"};
  Result<std::unique_ptr<TrialRunner>> r = TrialRunner::start(missing, setup_, launcher_, clock_);
  ASSERT_FALSE(r.is_ok());
  EXPECT_THAT(r.status().message(), HasSubstr("cannot start '/no/such/program'"));

  protocol::Assign bad_regex = assign(9, "true");
  bad_regex.stdout_regex = "([";
  EXPECT_FALSE(TrialRunner::start(bad_regex, setup_, launcher_, clock_).is_ok());

  protocol::Assign empty = assign(10, "");
  empty.argv.clear();
  EXPECT_FALSE(TrialRunner::start(empty, setup_, launcher_, clock_).is_ok());
}

}  // namespace
}  // namespace labsweep::agent
