#include "orchestrator/agent_slots.h"

#include <gmock/gmock.h>

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

protocol::GpuState gpu(int index, bool busy = false) {
  return {.index = index,
          .name = "g",
          .memory_total_mb = 1,
          .memory_used_by_others_mb = 0,
          .used_by_others = busy};
}

TEST(AgentSlotsTest, GpusUsedByOthersAreNeverOffered) {
  AgentSlots slots({gpu(0, true), gpu(1)}, 1, 0);
  EXPECT_THAT(slots.find({.gpus = 1}), Optional(ElementsAre(1)));
  EXPECT_EQ(slots.find({.gpus = 2}), std::nullopt);
  EXPECT_EQ(slots.find({.gpus = 0}), std::nullopt);  // no CPU slots
}

TEST(AgentSlotsTest, PacksSlotsPerGpuLeastLoadedFirst) {
  AgentSlots slots({gpu(0), gpu(1)}, 2, 1);
  EXPECT_EQ(slots.slots_total(), 5);
  slots.hold({0});
  EXPECT_THAT(slots.find({.gpus = 1}), Optional(ElementsAre(1)));
  slots.hold({1});
  slots.hold({0});
  EXPECT_THAT(slots.find({.gpus = 1}), Optional(ElementsAre(1)));
  slots.hold({1});
  EXPECT_EQ(slots.find({.gpus = 1}), std::nullopt);
  EXPECT_THAT(slots.find({.gpus = 0}), Optional(ElementsAre()));
  slots.hold({});
  EXPECT_EQ(slots.slots_used(), 5);
  slots.release({0});
  slots.release({});
  EXPECT_EQ(slots.slots_used(), 3);
  EXPECT_THAT(slots.find({.gpus = 1}), Optional(ElementsAre(0)));
}

TEST(AgentSlotsTest, HeartbeatsChangeWhatIsFreeButKeepWhatIsHeld) {
  AgentSlots slots({gpu(0)}, 1, 0);
  slots.hold({0});
  slots.update_gpus({gpu(0), gpu(1, true)});
  EXPECT_EQ(slots.find({.gpus = 1}), std::nullopt);
  slots.update_gpus({gpu(0), gpu(1)});
  EXPECT_THAT(slots.find({.gpus = 1}), Optional(ElementsAre(1)));
}

}  // namespace
}  // namespace labsweep::orchestrator
