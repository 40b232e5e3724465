// GET /agents as the dashboard's agents page reads it: each GPU's utilisation and memory used
// (null when the agent did not report them), and the trials on each agent with their sweeps.

#include <gmock/gmock.h>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

TEST_F(HttpApiTest, GpusCarryUtilisationAndMemoryUsedOrNull) {
  LiveAgent live{
      .id = store::AgentId{1},
      .name = "gpu-node-1",
      .host = "gpu-node-1.lab",
      .gpus = {LiveGpu{.index = 0,
                       .name = "H100",
                       .memory_total_mb = 81559,
                       .memory_used_by_others_mb = 30000,
                       .used_by_others = true,
                       .memory_used_mb = 30500,
                       .utilization_percent = 87},
               LiveGpu{.index = 1, .name = "H100", .memory_total_mb = 81559, .free = true}},
  };
  control_->live_agents = {live};

  Reply reply = get("/api/v1/agents");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  json gpus = reply.body["agents"][0]["gpus"];
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0]["utilization_percent"], 87);
  EXPECT_EQ(gpus[0]["memory_used_mb"], 30500);
  EXPECT_EQ(gpus[0]["memory_used_by_others_mb"], 30000);
  ASSERT_TRUE(gpus[1].contains("utilization_percent"));
  EXPECT_TRUE(gpus[1]["utilization_percent"].is_null());
  EXPECT_TRUE(gpus[1]["memory_used_mb"].is_null());
  EXPECT_EQ(gpus[1]["free"], true);
}

TEST_F(HttpApiTest, RunningTrialsNameTheirSweepsAndGpus) {
  write(store::RecordAgent{.name = "gone", .host = "g.lab", .seen_ms = 5});
  LiveAgent live{
      .id = store::AgentId{2},
      .name = "box",
      .host = "box.lab",
      .gpus = {LiveGpu{.index = 0, .name = "H100", .trials = {store::TrialId{12}}}},
      .cpu_slots = 1,
      .running_trials = {store::TrialId{12}, store::TrialId{13}},
      .running = {{.trial = store::TrialId{12}, .sweep = store::SweepId{3}, .gpus = {0}},
                  {.trial = store::TrialId{13}, .sweep = store::SweepId{4}, .gpus = {}}},
  };
  control_->live_agents = {live};

  Reply reply = get("/api/v1/agents");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body["agents"].size(), 2u);
  EXPECT_EQ(reply.body["agents"][0]["running"],
            json::parse(R"([{"trial": 12, "sweep": 3, "gpus": [0]},
                            {"trial": 13, "sweep": 4, "gpus": []}])"));
  // One the store only remembers runs nothing the orchestrator knows of.
  EXPECT_EQ(reply.body["agents"][1]["name"], "gone");
  EXPECT_EQ(reply.body["agents"][1]["running"], json::array());
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
