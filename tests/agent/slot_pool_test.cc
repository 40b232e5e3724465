#include "agent/slot_pool.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/gpu_availability.h"
#include "tests/support/fake_gpu_inventory.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeGpuInventory;
using ::testing::ElementsAre;

GpuSample gpu(int index, int64_t used_mb, std::vector<GpuProcess> processes = {}) {
  return {index, "Fake GPU", "", 81559, used_mb, std::nullopt, std::move(processes)};
}

TEST(GpuAvailabilityTest, AnIdleGpuIsFree) {
  protocol::GpuState s = gpu_state(gpu(0, 300), {}, SlotOptions{});
  EXPECT_EQ(s, (protocol::GpuState{0, "Fake GPU", 81559, 300, false, 300, std::nullopt}));
}

TEST(GpuAvailabilityTest, MemoryUsedAndUtilisationArePassedOnAsSampled) {
  GpuSample sample = gpu(0, 20500, {{100, 12000}, {555, 8000}});
  sample.utilization_percent = 93;
  protocol::GpuState s = gpu_state(sample, {100}, SlotOptions{});
  EXPECT_EQ(s.memory_used_mb, 20500);  // everyone's, labsweep's trial included
  EXPECT_EQ(s.memory_used_by_others_mb, 8500);
  EXPECT_EQ(s.utilization_percent, 93);
  sample.utilization_percent = std::nullopt;  // a driver that cannot tell
  EXPECT_EQ(gpu_state(sample, {100}, SlotOptions{}).utilization_percent, std::nullopt);
}

TEST(GpuAvailabilityTest, AStrangersProcessMakesItBusyWhateverItsMemory) {
  protocol::GpuState s = gpu_state(gpu(1, 10, {{555, 10}}), {}, SlotOptions{});
  EXPECT_TRUE(s.used_by_others);
  EXPECT_EQ(s.memory_used_by_others_mb, 10);
  // A process whose memory the driver cannot tell counts as a stranger too.
  EXPECT_TRUE(gpu_state(gpu(1, 0, {{555, std::nullopt}}), {}, SlotOptions{}).used_by_others);
}

TEST(GpuAvailabilityTest, OwnProcessesDoNotCountAgainstIt) {
  protocol::GpuState s =
      gpu_state(gpu(0, 20500, {{100, 12000}, {101, 8000}}), {100, 101, 7}, SlotOptions{});
  EXPECT_FALSE(s.used_by_others);
  EXPECT_EQ(s.memory_used_by_others_mb, 500);  // the driver's reservation
}

TEST(GpuAvailabilityTest, MemoryOthersUseCountsAtTheThreshold) {
  SlotOptions options;
  options.others_memory_threshold_mb = 1024;
  // Memory used by processes the driver does not list (another container's).
  EXPECT_FALSE(gpu_state(gpu(0, 1023), {}, options).used_by_others);
  EXPECT_TRUE(gpu_state(gpu(0, 1024), {}, options).used_by_others);
  // Own usage is taken off first, and never below zero.
  EXPECT_FALSE(gpu_state(gpu(0, 9000, {{5, 8000}}), {5}, options).used_by_others);
  EXPECT_EQ(gpu_state(gpu(0, 100, {{5, 8000}}), {5}, options).memory_used_by_others_mb, 0);
}

TEST(GpuAvailabilityTest, OnlyOfferedGpusAreListed) {
  SlotOptions options;
  options.gpus = std::vector<int>{2, 0, 7};
  auto states = offered_gpu_states({gpu(0, 0), gpu(1, 0), gpu(2, 0)}, {}, options);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].index, 0);
  EXPECT_EQ(states[1].index, 2);
  EXPECT_EQ(offered_gpu_states({gpu(0, 0), gpu(1, 0)}, {}, SlotOptions{}).size(), 2u);
}

TEST(GpuAvailabilityTest, GpuListOption) {
  EXPECT_THAT(parse_gpu_list("0,2").value(), ElementsAre(0, 2));
  EXPECT_THAT(parse_gpu_list("3").value(), ElementsAre(3));
  for (const char* bad : {"", "0,", ",1", "a", "-1", "1.5", "0,,1", " 1", "99999999999"}) {
    EXPECT_FALSE(parse_gpu_list(bad).is_ok()) << bad;
  }
  EXPECT_EQ(parse_gpu_list("0,x").status().message(),
            "--gpus: 'x' is not a GPU index (expected a list like 0,2)");
  EXPECT_EQ(parse_gpu_list("1,1").status().message(), "--gpus: GPU 1 is listed twice");
}

TEST(GpuAvailabilityTest, OptionsAreValidated) {
  EXPECT_TRUE(validate(SlotOptions{}).is_ok());
  SlotOptions o;
  o.slots_per_gpu = 0;
  EXPECT_EQ(validate(o).message(), "--slots-per-gpu must be at least 1");
  o = {};
  o.cpu_slots = -1;
  EXPECT_EQ(validate(o).message(), "--cpu-slots must be 0 or more");
  o = {};
  o.gpus = std::vector<int>{1, 1};
  EXPECT_EQ(validate(o).message(), "--gpus: GPU 1 is listed twice");
}

class SlotPoolTest : public ::testing::Test {
 protected:
  SlotPool pool(SlotOptions options) {
    SlotPool p(std::move(options));
    p.update(gpus_, own_);
    return p;
  }
  std::vector<GpuSample> gpus_ = FakeGpuInventory::idle(3);
  std::unordered_set<int> own_;
};

TEST_F(SlotPoolTest, ReservesAndReleasesGpuSlots) {
  SlotPool p = pool({});
  EXPECT_EQ(p.free_gpu_slots(0), 1);
  EXPECT_TRUE(p.reserve(1, {0}).is_ok());
  EXPECT_EQ(p.free_gpu_slots(0), 0);
  EXPECT_EQ(p.reserve(2, {0}).message(), "GPU 0 has no free slot (1 of 1 taken)");
  EXPECT_TRUE(p.reserve(2, {1, 2}).is_ok());
  EXPECT_THAT(p.gpus_of(2), ElementsAre(1, 2));
  p.release(1);
  p.release(1);  // twice: harmless
  EXPECT_TRUE(p.reserve(3, {0}).is_ok());
  EXPECT_EQ(p.reserve(3, {0}).message(), "trial 3 already holds slots");
}

TEST_F(SlotPoolTest, AFailedReservationTakesNothing) {
  SlotPool p = pool({});
  ASSERT_TRUE(p.reserve(1, {1}).is_ok());
  EXPECT_FALSE(p.reserve(2, {0, 1}).is_ok());
  EXPECT_EQ(p.free_gpu_slots(0), 1);
  EXPECT_THAT(p.gpus_of(2), ElementsAre());
}

TEST_F(SlotPoolTest, PacksSlotsPerGpu) {
  SlotOptions options;
  options.slots_per_gpu = 2;
  SlotPool p = pool(options);
  EXPECT_TRUE(p.reserve(1, {0}).is_ok());
  EXPECT_TRUE(p.reserve(2, {0}).is_ok());
  EXPECT_EQ(p.reserve(3, {0}).message(), "GPU 0 has no free slot (2 of 2 taken)");
}

TEST_F(SlotPoolTest, RefusesUnknownUnofferedBusyAndRepeatedGpus) {
  SlotOptions options;
  options.gpus = std::vector<int>{0, 2};
  gpus_[2].processes.push_back({999, 4000});
  gpus_[2].memory_used_mb = 4000;
  SlotPool p = pool(options);
  EXPECT_EQ(p.reserve(1, {3}).message(), "GPU 3 is not on this machine");
  EXPECT_EQ(p.reserve(1, {1}).message(), "GPU 1 is not offered by this agent (--gpus 0,2)");
  EXPECT_EQ(p.reserve(1, {2}).message(),
            "GPU 2 is used by a process outside labsweep (4000 MB in use by others)");
  EXPECT_EQ(p.reserve(1, {0, 0}).message(), "GPU 0 is listed twice");
  EXPECT_EQ(p.free_gpu_slots(2), 0);
  EXPECT_EQ(p.free_gpu_slots(1), 0);
  EXPECT_TRUE(p.reserve(1, {0}).is_ok());
  EXPECT_EQ(p.states().size(), 2u);
}

TEST_F(SlotPoolTest, OwnTrialProcessesKeepAGpuFree) {
  SlotOptions options;
  options.slots_per_gpu = 2;
  SlotPool p = pool(options);
  ASSERT_TRUE(p.reserve(1, {0}).is_ok());
  gpus_[0].processes.push_back({4321, 30000});
  gpus_[0].memory_used_mb = 30300;
  own_ = {4321};
  p.update(gpus_, own_);
  EXPECT_FALSE(p.states()[0].used_by_others);
  EXPECT_TRUE(p.reserve(2, {0}).is_ok());
  // The same process seen as a stranger (the trial ended, its pid is no longer ours).
  p.release(2);
  p.update(gpus_, {});
  EXPECT_TRUE(p.states()[0].used_by_others);
  EXPECT_FALSE(p.reserve(2, {0}).is_ok());
}

TEST_F(SlotPoolTest, NoSampleYetMeansNoGpu) {
  SlotPool p{SlotOptions{}};
  EXPECT_EQ(p.reserve(1, {0}).message(), "GPU 0 is not on this machine");
  EXPECT_TRUE(p.states().empty());
}

TEST_F(SlotPoolTest, CpuSlots) {
  SlotPool none = pool({});
  EXPECT_EQ(none.reserve(1, {}).message(), "this agent offers no CPU slots (--cpu-slots 0)");
  SlotOptions options;
  options.cpu_slots = 2;
  SlotPool p = pool(options);
  EXPECT_TRUE(p.reserve(1, {}).is_ok());
  EXPECT_TRUE(p.reserve(2, {}).is_ok());
  EXPECT_EQ(p.free_cpu_slots(), 0);
  EXPECT_EQ(p.reserve(3, {}).message(), "no free CPU slot (2 of 2 taken)");
  EXPECT_EQ(p.free_gpu_slots(0), 1);  // CPU trials take no GPU slot
  p.release(1);
  EXPECT_EQ(p.free_cpu_slots(), 1);
}

TEST_F(SlotPoolTest, AdoptedTrialsHoldTheirSlotsWithoutChecks) {
  gpus_[1].processes.push_back({888, 9000});
  SlotPool p = pool({});
  p.adopt(5, {1});  // its process is not known as ours yet: the GPU looks busy
  EXPECT_THAT(p.gpus_of(5), ElementsAre(1));
  p.update(gpus_, {888});
  EXPECT_EQ(p.free_gpu_slots(1), 0);
  EXPECT_EQ(p.reserve(6, {1}).message(), "GPU 1 has no free slot (1 of 1 taken)");
}

}  // namespace
}  // namespace labsweep::agent
