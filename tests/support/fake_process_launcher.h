#pragma once

// A launcher that records what it was asked to start and lets the test decide how each
// process behaves: which signals it received, and when and how it exits.

#include <memory>
#include <vector>

#include "agent/process_launcher.h"

namespace labsweep::testing {

struct FakeProcessState {
  agent::LaunchSpec spec;
  int pid = 0;
  std::vector<int> signals;               // every signal sent to the group, in order
  std::optional<agent::ExitStatus> exit;  // set by the test to end the process
};

class FakeProcess final : public agent::Process {
 public:
  explicit FakeProcess(std::shared_ptr<FakeProcessState> state) : state_(std::move(state)) {}
  int pid() const override { return state_->pid; }
  void signal_group(int signal) override {
    if (!state_->exit) state_->signals.push_back(signal);
  }
  std::optional<agent::ExitStatus> poll() override { return state_->exit; }

 private:
  std::shared_ptr<FakeProcessState> state_;
};

class FakeProcessLauncher final : public agent::ProcessLauncher {
 public:
  Result<std::unique_ptr<agent::Process>> launch(const agent::LaunchSpec& spec) override {
    if (fail_next_) {
      fail_next_ = false;
      return Status(StatusCode::kFailedPrecondition, "cannot start '" + spec.argv.at(0) + "'");
    }
    auto state = std::make_shared<FakeProcessState>();
    state->spec = spec;
    state->pid = 1000 + static_cast<int>(launched.size());
    launched.push_back(state);
    return std::unique_ptr<agent::Process>(std::make_unique<FakeProcess>(state));
  }
  void fail_next_launch() { fail_next_ = true; }

  // Shared with the processes handed out, so that the test can see and steer them.
  std::vector<std::shared_ptr<FakeProcessState>> launched;

 private:
  bool fail_next_ = false;
};

}  // namespace labsweep::testing
