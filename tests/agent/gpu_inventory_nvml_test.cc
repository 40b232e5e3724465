#include "agent/gpu_inventory_nvml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

namespace labsweep::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(NvmlGpuInventoryTest, MissingLibraryIsAClearError) {
  auto inventory = NvmlGpuInventory::open("libnvidia-ml-does-not-exist.so.1");
  ASSERT_FALSE(inventory.is_ok());
  EXPECT_EQ(inventory.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(inventory.status().message(),
              StartsWith("no NVIDIA driver: libnvidia-ml-does-not-exist.so.1 not found ("));
}

TEST(NvmlGpuInventoryTest, DefaultLibraryLoadsOrFailsCleanly) {
  // On a machine without the driver (every test machine): the documented message. With one:
  // a sample of every GPU, each with a name and a total.
  auto inventory = NvmlGpuInventory::open();
  if (!inventory.is_ok()) {
    EXPECT_THAT(inventory.status().message(),
                ::testing::AnyOf(StartsWith("no NVIDIA driver: libnvidia-ml.so.1 not found"),
                                 StartsWith("NVIDIA driver present but NVML failed to start")));
    return;
  }
  auto gpus = (*inventory)->sample();
  ASSERT_TRUE(gpus.is_ok()) << gpus.status().message();
  for (std::size_t i = 0; i < gpus->size(); ++i) {
    EXPECT_EQ((*gpus)[i].index, int(i));
    EXPECT_FALSE((*gpus)[i].name.empty());
    EXPECT_GT((*gpus)[i].memory_total_mb, 0);
  }
}

class FakeNvmlTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { setenv("FAKE_NVML_STRIDE", GetParam(), 1); }
  void TearDown() override { unsetenv("FAKE_NVML_STRIDE"); }
};

// Every layout a driver may write for _v3 reads the same processes.
TEST_P(FakeNvmlTest, SamplesEveryGpuThroughTheLoadedLibrary) {
  auto inventory = NvmlGpuInventory::open(FAKE_NVML_PATH);
  ASSERT_TRUE(inventory.is_ok()) << inventory.status().message();
  auto gpus = (*inventory)->sample();
  ASSERT_TRUE(gpus.is_ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  const GpuSample& idle = (*gpus)[0];
  EXPECT_EQ(idle.index, 0);
  EXPECT_EQ(idle.name, "Fake NVML H100");
  EXPECT_EQ(idle.uuid, "GPU-0000");
  EXPECT_EQ(idle.memory_total_mb, 81559);
  EXPECT_EQ(idle.memory_used_mb, 400);
  EXPECT_EQ(idle.utilization_percent, std::nullopt);  // not supported there
  EXPECT_TRUE(idle.processes.empty());
  const GpuSample& busy = (*gpus)[1];
  EXPECT_EQ(busy.index, 1);
  EXPECT_EQ(busy.memory_used_mb, 9000);
  EXPECT_EQ(busy.utilization_percent, 87);
  EXPECT_THAT(busy.processes, ElementsAre(GpuProcess{4242, 5000}, GpuProcess{4343, 3000},
                                          GpuProcess{4444, std::nullopt}));
}

INSTANTIATE_TEST_SUITE_P(Layouts, FakeNvmlTest, ::testing::Values("16", "24", "32"));

TEST(NvmlGpuInventoryTest, GpusThatCannotListProcessesStillSample) {
  setenv("FAKE_NVML_PROCESSES_UNSUPPORTED", "1", 1);
  auto inventory = NvmlGpuInventory::open(FAKE_NVML_PATH);
  ASSERT_TRUE(inventory.is_ok()) << inventory.status().message();
  auto gpus = (*inventory)->sample();
  unsetenv("FAKE_NVML_PROCESSES_UNSUPPORTED");
  ASSERT_TRUE(gpus.is_ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_TRUE((*gpus)[1].processes.empty());
  EXPECT_EQ((*gpus)[1].memory_used_mb, 9000);  // what tells that someone is there
}

TEST(NvmlGpuInventoryTest, InitFailureNamesTheNvmlError) {
  setenv("FAKE_NVML_INIT_FAIL", "1", 1);
  auto inventory = NvmlGpuInventory::open(FAKE_NVML_PATH);
  unsetenv("FAKE_NVML_INIT_FAIL");
  ASSERT_FALSE(inventory.is_ok());
  EXPECT_EQ(inventory.status().message(),
            "NVIDIA driver present but NVML failed to start: nvmlInit_v2: Driver Not Loaded (9)");
}

TEST(NvmlGpuInventoryTest, ALibraryThatIsNotNvmlIsRefused) {
  auto inventory = NvmlGpuInventory::open("libm.so.6");
  ASSERT_FALSE(inventory.is_ok());
  EXPECT_THAT(inventory.status().message(), HasSubstr("its NVML lacks"));
}

}  // namespace
}  // namespace labsweep::agent
