#pragma once

// The set-up the TrialRunner tests share: real trial processes through the real POSIX launcher
// and labsweep-trial-shim, in temporary work and runtime directories, with a fake clock.

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent/posix_process_launcher.h"
#include "agent/trial_runner.h"
#include "tests/agent/trial_test_helpers.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent::testing {

class TrialRunnerFixture : public ::testing::Test {
 protected:
  TrialRunnerFixture() {
    setup_.work_dir = work_.path();
    setup_.runtime_dir = runtime_.path();
    setup_.base_env = {{"PATH", "/usr/bin:/bin"}};
    setup_.cgroup_prefix = "labsweep-test-" + std::to_string(::getpid()) + "-";
    setup_.shim = find_trial_shim();  // built next to this test binary
  }

  // Trial `k` of sweep 5, running `argv`.
  protocol::Assign assign_argv(int k, std::vector<std::string> argv) {
    protocol::Assign a;
    a.trial_id = unique_trial_id(k);
    a.sweep_id = 5;
    a.argv = std::move(argv);
    a.stop_grace = std::chrono::milliseconds(1000);
    a.kill_delay = std::chrono::milliseconds(1000);
    return a;
  }

  // Its exit, once poll() reports one.
  ExitStatus wait(TrialRunner& runner) {
    std::optional<ExitStatus> status;
    EXPECT_TRUE(eventually([&] { return (status = runner.poll()).has_value(); }));
    return status.value_or(ExitStatus{-1, -1});
  }

  labsweep::testing::FakeClock clock_;
  labsweep::testing::TempDir work_;
  labsweep::testing::TempDir runtime_;
  TrialSetup setup_;
  PosixProcessLauncher launcher_;
};

}  // namespace labsweep::agent::testing
