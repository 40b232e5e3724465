#include "agent/trial_environment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::agent {
namespace {

using ::testing::Contains;
using ::testing::Pair;

std::string get(const Environment& env, const std::string& name) {
  int count = 0;
  std::string value;
  for (const auto& [k, v] : env) {
    if (k == name) {
      ++count;
      value = v;
    }
  }
  EXPECT_EQ(count, 1) << name;
  return value;
}

TEST(TrialEnvironmentTest, SetsTheTrialVariablesOverTheAgentsOwn) {
  protocol::Assign assign;
  assign.trial_id = 42;
  assign.sweep_id = 7;
  assign.gpus = {3, 1};
  assign.env = {{"OMP_NUM_THREADS", "2"}, {"LABSWEEP_TRIAL_ID", "999"}};
  Environment base = {{"PATH", "/usr/bin"}, {"CUDA_VISIBLE_DEVICES", "0,1,2,3"}};
  Environment env = trial_environment(
      base, assign, {"/w/trials/42", "/w/trials/42/params.json", "/w/trials/42/labsweep.sock"});
  EXPECT_EQ(get(env, "PATH"), "/usr/bin");
  EXPECT_EQ(get(env, "OMP_NUM_THREADS"), "2");
  EXPECT_EQ(get(env, "LABSWEEP_TRIAL_ID"), "42");  // the trial's variables cannot be overridden
  EXPECT_EQ(get(env, "LABSWEEP_SWEEP_ID"), "7");
  EXPECT_EQ(get(env, "LABSWEEP_TRIAL_DIR"), "/w/trials/42");
  EXPECT_EQ(get(env, "LABSWEEP_PARAMS_FILE"), "/w/trials/42/params.json");
  EXPECT_EQ(get(env, "LABSWEEP_SOCKET"), "/w/trials/42/labsweep.sock");
  EXPECT_EQ(get(env, "CUDA_VISIBLE_DEVICES"), "3,1");
  EXPECT_EQ(get(env, "CUDA_DEVICE_ORDER"), "PCI_BUS_ID");
  EXPECT_EQ(trial_marker("/w/trials/42-2"), "LABSWEEP_TRIAL_DIR=/w/trials/42-2");
}

TEST(TrialEnvironmentTest, ACpuTrialSeesNoGpu) {
  protocol::Assign assign;
  Environment env = trial_environment({{"CUDA_VISIBLE_DEVICES", "0"}}, assign, {});
  EXPECT_EQ(get(env, "CUDA_VISIBLE_DEVICES"), "");
}

TEST(TrialEnvironmentTest, ProcessEnvironmentReadsEnviron) {
  ::setenv("LABSWEEP_A2_PROBE", "x=y", 1);
  EXPECT_THAT(process_environment(), Contains(Pair("LABSWEEP_A2_PROBE", "x=y")));
  ::unsetenv("LABSWEEP_A2_PROBE");
}

}  // namespace
}  // namespace labsweep::agent
