// The POSIX launcher with real child processes. Tests use /bin/sh to make processes that
// misbehave; labsweep itself never runs a trial through a shell.

#include "agent/posix_process_launcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/process_table.h"
#include "agent/process_tree.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;
using ::testing::HasSubstr;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether `pid` is a live process (a zombie counts as gone: it can run no more code).
bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Whether `pid` is gone within a few seconds: a killed process dies asynchronously, moments
// after kill() returns. The deadline only guards against a hang.
bool dies(int pid) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

class LauncherTest : public ::testing::Test {
 protected:
  LaunchSpec spec(std::vector<std::string> argv) {
    return {std::move(argv),
            {{"PATH", "/usr/bin:/bin"}, {"ONLY", "this"}},
            dir_.path(),
            dir_.path() / "stdout",
            dir_.path() / "stderr",
            ""};
  }

  // Waits for a real process to exit; the deadline only guards against a hang.
  ExitStatus wait(Process& p) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (auto status = p.poll()) return *status;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ADD_FAILURE() << "process " << p.pid() << " did not exit";
    return {};
  }

  std::vector<int> pids_in(const std::string& file) {
    std::ifstream in(dir_.path() / file);
    std::vector<int> pids;
    for (int pid; in >> pid;) pids.push_back(pid);
    return pids;
  }

  TempDir dir_;
  PosixProcessLauncher launcher_;
};

TEST_F(LauncherTest, RunsArgvWithItsEnvironmentDirectoryAndOutputFiles) {
  auto p = launcher_.launch(spec({"sh", "-c", "env; pwd; echo oops >&2; exit 3"}));
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_EQ(wait(**p), (ExitStatus{3, 0}));
  std::string out = slurp(dir_.path() / "stdout");
  EXPECT_THAT(out, HasSubstr("ONLY=this\n"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("HOME=")));  // nothing leaks from the agent
  EXPECT_THAT(out, HasSubstr(dir_.path().string() + "\n"));
  EXPECT_EQ(slurp(dir_.path() / "stderr"), "oops\n");
}

TEST_F(LauncherTest, ArgumentsAreNotInterpretedByAShell) {
  auto p = launcher_.launch(spec({"printf", "%s|", "a b", "$(whoami)", "*", ";"}));
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(wait(**p), (ExitStatus{0, 0}));
  EXPECT_EQ(slurp(dir_.path() / "stdout"), "a b|$(whoami)|*|;|");
}

TEST_F(LauncherTest, ReportsTheSignalThatEndedIt) {
  auto p = launcher_.launch(spec({"sh", "-c", "kill -TERM $$"}));
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(wait(**p), (ExitStatus{0, SIGTERM}));
}

TEST_F(LauncherTest, RunsInItsOwnProcessGroup) {
  auto p = launcher_.launch(spec({"sh", "-c", "ps -o pgid= -p $$ > pgid"}));
  ASSERT_TRUE(p.is_ok());
  wait(**p);
  EXPECT_EQ(std::stoi(slurp(dir_.path() / "pgid")), (*p)->pid());
}

TEST_F(LauncherTest, CommandsThatCannotStart) {
  auto missing = launcher_.launch(spec({"no-such-program-here"}));
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(),
            "cannot start 'no-such-program-here': No such file or directory");
  auto empty = launcher_.launch(spec({}));
  EXPECT_EQ(empty.status().message(), "the command is empty");
  LaunchSpec nowhere = spec({"true"});
  nowhere.cwd = dir_.path() / "missing";
  EXPECT_THAT(launcher_.launch(nowhere).status().message(),
              HasSubstr("working directory " + nowhere.cwd.string() + " does not exist"));
}

TEST_F(LauncherTest, SignallingTheGroupReachesEveryMember) {
  auto p = launcher_.launch(
      spec({"sh", "-c", "sleep 1000 & echo $! >> pids; sleep 1000 & echo $! >> pids; wait"}));
  ASSERT_TRUE(p.is_ok());
  while (pids_in("pids").size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  (*p)->signal_group(SIGTERM);
  EXPECT_EQ(wait(**p).signal, SIGTERM);
  for (int pid : pids_in("pids")) EXPECT_TRUE(dies(pid)) << pid;
}

TEST_F(LauncherTest, MembersDoNotOutliveTheLeader) {
  auto p = launcher_.launch(spec({"sh", "-c", "sleep 1000 & echo $! > pids; exit 4"}));
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(wait(**p), (ExitStatus{4, 0}));
  std::vector<int> pids = pids_in("pids");
  ASSERT_EQ(pids.size(), 1u);
  EXPECT_TRUE(dies(pids[0]));
}

TEST_F(LauncherTest, DroppingAProcessEndsItsGroup) {
  std::vector<int> pids;
  {
    auto p = launcher_.launch(spec({"sh", "-c", "sleep 1000 & echo $! > pids; wait"}));
    ASSERT_TRUE(p.is_ok());
    while (pids_in("pids").empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    pids = pids_in("pids");
    pids.push_back((*p)->pid());
  }
  for (int pid : pids) EXPECT_TRUE(dies(pid)) << pid;
}

TEST_F(LauncherTest, DaemonsThatLeftTheGroupDieWithTheTrial) {
  LaunchSpec s = spec({"sh", "-c",
                       "setsid sleep 1000 & echo $! >> pids;"
                       "(setsid sh -c 'sleep 1000 & echo $! >> pids' &);"
                       "while [ $(wc -l < pids) -lt 2 ]; do :; done; exit 0"});
  s.env.emplace_back("LABSWEEP_TRIAL_ID", "77");
  s.marker = "LABSWEEP_TRIAL_ID=77";
  auto p = launcher_.launch(s);
  ASSERT_TRUE(p.is_ok());
  EXPECT_EQ(wait(**p), (ExitStatus{0, 0}));
  std::vector<int> pids = pids_in("pids");
  ASSERT_EQ(pids.size(), 2u);
  for (int pid : pids) EXPECT_TRUE(dies(pid)) << pid;
}

TEST_F(LauncherTest, OtherTrialsSurviveTheEndOfOne) {
  LaunchSpec other = spec({"sh", "-c", "sleep 1000"});
  other.env.emplace_back("LABSWEEP_TRIAL_ID", "8");
  other.marker = "LABSWEEP_TRIAL_ID=8";
  other.stdout_path = dir_.path() / "other.out";
  auto neighbour = launcher_.launch(other);
  ASSERT_TRUE(neighbour.is_ok());
  LaunchSpec ending = spec({"true"});
  ending.env.emplace_back("LABSWEEP_TRIAL_ID", "80");  // a prefix of neither marker
  ending.marker = "LABSWEEP_TRIAL_ID=80";
  auto p = launcher_.launch(ending);
  ASSERT_TRUE(p.is_ok());
  wait(**p);
  EXPECT_TRUE(alive((*neighbour)->pid()));
  EXPECT_EQ((*neighbour)->poll(), std::nullopt);  // its exit status was not reaped by another
}

TEST_F(LauncherTest, PollIsStableAfterExit) {
  auto p = launcher_.launch(spec({"true"}));
  ASSERT_TRUE(p.is_ok());
  ExitStatus first = wait(**p);
  EXPECT_EQ((*p)->poll(), first);
  (*p)->signal_group(SIGKILL);  // after the reap: must not signal a group id that may be reused
  EXPECT_EQ((*p)->poll(), first);
}

// A trial ending while a later one runs: the later one's processes have pids handed out after
// the ending trial's leader, so they are among those the end looks at, and are spared for their
// marker, also a daemon of theirs that left its group and was reparented to the agent.
TEST_F(LauncherTest, TheEndOfATrialSparesTheProcessesOfOneStartedAfterIt) {
  LaunchSpec ending = spec({"sh", "-c", "while [ ! -e go ]; do sleep 0.01; done"});
  ending.env.emplace_back("LABSWEEP_TRIAL_ID", "90");
  ending.marker = "LABSWEEP_TRIAL_ID=90";
  auto p = launcher_.launch(ending);
  ASSERT_TRUE(p.is_ok());
  LaunchSpec later = spec({"sh", "-c", "(setsid sleep 1000 & echo $! >> later); exec sleep 1000"});
  later.env.emplace_back("LABSWEEP_TRIAL_ID", "9");  // a prefix of the ending trial's marker
  later.marker = "LABSWEEP_TRIAL_ID=9";
  auto neighbour = launcher_.launch(later);
  ASSERT_TRUE(neighbour.is_ok());
  while (pids_in("later").empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::ofstream(dir_.path() / "go") << "";
  EXPECT_EQ(wait(**p), (ExitStatus{0, 0}));
  int daemon = pids_in("later")[0];
  EXPECT_TRUE(alive(daemon));
  EXPECT_TRUE(alive((*neighbour)->pid()));
  neighbour->reset();  // ends it, and by its marker its daemon
  EXPECT_TRUE(dies(daemon));
}

TEST_F(LauncherTest, TheExitFdBecomesReadableWhenTheLeaderExits) {
  auto p = launcher_.launch(spec({"sh", "-c", "while [ ! -e go ]; do sleep 0.01; done"}));
  ASSERT_TRUE(p.is_ok());
  int fd = (*p)->exit_fd();
  if (fd < 0) GTEST_SKIP() << "no pidfd_open here (Linux before 5.3)";
  pollfd item{fd, POLLIN, 0};
  EXPECT_EQ(::poll(&item, 1, 0), 0);  // running
  std::ofstream(dir_.path() / "go") << "";
  EXPECT_EQ(::poll(&item, 1, 20'000), 1);  // the bound only guards against a hang
  EXPECT_EQ((*p)->poll(), (ExitStatus{0, 0}));
}

// Reaping orphans cannot pass over an exited child to reach the next one, so a leader that has
// exited is reaped too, its group killed first, and its status kept for its Process.
TEST_F(LauncherTest, ALeaderReapedWithTheOrphansKeepsItsExitStatus) {
  auto p = launcher_.launch(spec({"sh", "-c", "sleep 1000 & echo $! > pids; exit 7"}));
  ASSERT_TRUE(p.is_ok());
  while (pids_in("pids").empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  siginfo_t info{};
  // Until the leader has exited (WNOWAIT: it stays for reap_orphans).
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>((*p)->pid()), &info, WEXITED | WNOWAIT), 0);
  reap_orphans(launched_leaders());
  EXPECT_TRUE(dies(pids_in("pids")[0]));  // its group was killed before it was reaped
  EXPECT_EQ((*p)->poll(), (ExitStatus{7, 0}));
  EXPECT_EQ((*p)->poll(), (ExitStatus{7, 0}));
  EXPECT_TRUE(reaped_leaders().empty());
}

TEST_F(LauncherTest, DescendantsAmongPicksTheLaunchersOwnProcesses) {
  auto p = launcher_.launch(spec({"sh", "-c", "sleep 1000 & echo $! > pids; wait"}));
  ASSERT_TRUE(p.is_ok());
  while (pids_in("pids").empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  int child = pids_in("pids")[0];
  std::unordered_set<int> ours =
      descendants_among({child, (*p)->pid(), 1, ::getppid()}, ::getpid());
  EXPECT_EQ(ours, (std::unordered_set<int>{child, (*p)->pid()}));
  EXPECT_EQ(descendant_pids(::getpid()).count(child), 1u);
}

}  // namespace
}  // namespace labsweep::agent
