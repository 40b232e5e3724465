// The registry as the dashboard's agents page reads it (Core::agents()): each GPU's utilisation
// and memory used as the agent last reported them, and the trials on each agent with their
// sweeps.

#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "tests/orchestrator/core_fixture.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

protocol::GpuState measured(int index, int64_t used_mb, int percent) {
  return {.index = index,
          .name = "Fake H100",
          .memory_total_mb = 81'559,
          .memory_used_by_others_mb = 0,
          .used_by_others = false,
          .memory_used_mb = used_mb,
          .utilization_percent = percent};
}

TEST_F(CoreTest, UtilisationAndMemoryUsedFollowTheLatestReport) {
  hello("peer-a", "gpu01", {measured(0, 500, 0), measured(1, 600, 3)});
  std::vector<LiveAgent> live = core_->agents();
  ASSERT_THAT(live, SizeIs(1));
  ASSERT_THAT(live[0].gpus, SizeIs(2));
  EXPECT_EQ(live[0].gpus[0].utilization_percent, 0);
  EXPECT_EQ(live[0].gpus[1].utilization_percent, 3);
  EXPECT_EQ(live[0].gpus[1].memory_used_mb, 600);

  send("peer-a", protocol::Heartbeat{{measured(0, 40'000, 97), measured(1, 600, 3)}});
  live = core_->agents();
  EXPECT_EQ(live[0].gpus[0].utilization_percent, 97);
  EXPECT_EQ(live[0].gpus[0].memory_used_mb, 40'000);
  EXPECT_EQ(live[0].gpus[1].utilization_percent, 3);
}

// An agent that does not send them (older, or a driver that cannot tell): unknown, not zero.
TEST_F(CoreTest, UnreportedUtilisationIsUnknown) {
  hello("peer-a", "gpu01", {measured(0, 500, 40)});
  send("peer-a", protocol::Heartbeat{{gpu(0)}});
  std::vector<LiveAgent> live = core_->agents();
  ASSERT_THAT(live[0].gpus, SizeIs(1));
  EXPECT_EQ(live[0].gpus[0].utilization_percent, std::nullopt);
  EXPECT_EQ(live[0].gpus[0].memory_used_mb, std::nullopt);
}

TEST_F(CoreTest, TheStoredInventoryKeepsWhatTheAgentReported) {
  hello("peer-a", "gpu01", {measured(0, 500, 12)});
  send("peer-a", protocol::Heartbeat{{measured(0, 700, 55)}});
  auto agents = reader_->agents();
  ASSERT_TRUE(agents) << agents.status().message();
  ASSERT_THAT(*agents, SizeIs(1));
  nlohmann::json stored = nlohmann::json::parse((*agents)[0].gpus_json);
  EXPECT_EQ(stored[0]["utilization_percent"], 55);
  EXPECT_EQ(stored[0]["memory_used_mb"], 700);

  send("peer-a", protocol::Heartbeat{{gpu(0)}});
  agents = reader_->agents();
  ASSERT_TRUE(agents);
  stored = nlohmann::json::parse((*agents)[0].gpus_json);
  EXPECT_FALSE(stored[0].contains("utilization_percent"));
}

TEST_F(CoreTest, RunningTrialsAreListedWithTheirSweepsAndGpus) {
  hello("peer-a", "gpu01", {measured(0, 0, 0), measured(1, 0, 0)}, /*cpu_slots=*/0);
  store::SweepId first = submit(grid(2));
  hello("peer-b", "cpu01", {}, /*cpu_slots=*/1);
  store::SweepId second = submit(grid(1, "  resources: {gpus: 0}\n"));
  auto on_a = outbox_.take<protocol::Assign>("peer-a");
  auto on_b = outbox_.take<protocol::Assign>("peer-b");
  ASSERT_THAT(on_a, SizeIs(2));
  ASSERT_THAT(on_b, SizeIs(1));

  std::vector<LiveAgent> live = core_->agents();
  ASSERT_THAT(live, SizeIs(2));
  const LiveAgent& cpu = live[0].name == "cpu01" ? live[0] : live[1];
  const LiveAgent& gpus = live[0].name == "gpu01" ? live[0] : live[1];
  ASSERT_THAT(gpus.running, SizeIs(2));
  for (const LiveAgentTrial& t : gpus.running) {
    EXPECT_EQ(t.sweep, first);
    ASSERT_THAT(t.gpus, SizeIs(1));
    EXPECT_THAT(gpus.gpus[static_cast<size_t>(t.gpus[0])].trials, ElementsAre(t.trial));
  }
  EXPECT_NE(gpus.running[0].gpus, gpus.running[1].gpus);
  ASSERT_THAT(cpu.running, SizeIs(1));
  EXPECT_EQ(cpu.running[0].trial, store::TrialId{on_b[0].trial_id});
  EXPECT_EQ(cpu.running[0].sweep, second);
  EXPECT_TRUE(cpu.running[0].gpus.empty());

  send("peer-b", ended(1, on_b[0].trial_id));
  live = core_->agents();
  const LiveAgent& after = live[0].name == "cpu01" ? live[0] : live[1];
  EXPECT_TRUE(after.running.empty());
}

}  // namespace
}  // namespace labsweep::orchestrator
