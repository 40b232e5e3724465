#include "agent/gpu_inventory_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::TempDir;
using ::testing::ElementsAre;

std::string error_of(std::string_view text) {
  auto gpus = parse_fake_gpus(text, "gpus.json");
  EXPECT_FALSE(gpus.is_ok()) << "accepted: " << text;
  return gpus.is_ok() ? "" : gpus.status().message();
}

TEST(FileGpuInventoryTest, ReadsTheDocumentedFormat) {
  auto gpus = parse_fake_gpus(R"({"gpus":[
      {"name":"Fake H100","memory_total_mb":81559,"memory_used_mb":700,
       "processes":[{"pid":1234,"used_mb":500},{"pid":99}]},
      {"name":"Fake H100","uuid":"GPU-x","memory_total_mb":81559,"utilization_percent":40}]})",
                              "gpus.json");
  ASSERT_TRUE(gpus.is_ok()) << gpus.status().message();
  ASSERT_EQ(gpus->size(), 2u);
  EXPECT_EQ((*gpus)[0], (GpuSample{0,
                                   "Fake H100",
                                   "GPU-fake-0",
                                   81559,
                                   700,
                                   std::nullopt,
                                   {{1234, 500}, {99, std::nullopt}}}));
  EXPECT_EQ((*gpus)[1], (GpuSample{1, "Fake H100", "GPU-x", 81559, 0, 40, {}}));
}

TEST(FileGpuInventoryTest, NoGpusIsValid) {
  auto gpus = parse_fake_gpus(R"({"gpus":[]})", "gpus.json");
  ASSERT_TRUE(gpus.is_ok());
  EXPECT_TRUE(gpus->empty());
}

TEST(FileGpuInventoryTest, MalformedFilesNameTheField) {
  EXPECT_EQ(error_of(""), "gpus.json: not valid JSON");
  EXPECT_EQ(error_of(R"({"gpus":[)"), "gpus.json: not valid JSON");
  EXPECT_EQ(error_of("[]"), "gpus.json: expected an object with \"gpus\"");
  EXPECT_EQ(error_of("{}"), "gpus.json: gpus: missing");
  EXPECT_EQ(error_of(R"({"gpus":{}})"), "gpus.json: gpus: expected a list");
  EXPECT_EQ(error_of(R"({"gpus":[],"gpu":[]})"), "gpus.json: gpu: unknown member");
  EXPECT_EQ(error_of(R"({"gpus":[1]})"), "gpus.json: gpus[0]: expected an object");
  EXPECT_EQ(error_of(R"({"gpus":[{"memory_total_mb":1}]})"), "gpus.json: gpus[0].name: missing");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":7,"memory_total_mb":1}]})"),
            "gpus.json: gpus[0].name: expected a string");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a"}]})"), "gpus.json: gpus[0].memory_total_mb: missing");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":-1}]})"),
            "gpus.json: gpus[0].memory_total_mb: expected an integer from 0 to "
            "9223372036854775807");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":1.5}]})"),
            "gpus.json: gpus[0].memory_total_mb: expected an integer from 0 to "
            "9223372036854775807");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":"8"}]})"),
            "gpus.json: gpus[0].memory_total_mb: expected an integer from 0 to "
            "9223372036854775807");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":100,"memory_used_mb":101}]})"),
            "gpus.json: gpus[0].memory_used_mb: expected an integer from 0 to 100");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":1,"utilization_percent":101}]})"),
            "gpus.json: gpus[0].utilization_percent: expected an integer from 0 to 100");
  EXPECT_EQ(error_of(R"({"gpus":[{"name":"a","memory_total_mb":1,"memory_totl_mb":1}]})"),
            "gpus.json: gpus[0].memory_totl_mb: unknown member");
}

TEST(FileGpuInventoryTest, MalformedProcessesNameTheField) {
  auto with = [](const std::string& processes) {
    return R"({"gpus":[{"name":"a","memory_total_mb":1},{"name":"b","memory_total_mb":1,)"
           R"("processes":)" +
           processes + "}]}";
  };
  EXPECT_EQ(error_of(with("{}")), "gpus.json: gpus[1].processes: expected a list");
  EXPECT_EQ(error_of(with("[7]")), "gpus.json: gpus[1].processes[0]: expected an object");
  EXPECT_EQ(error_of(with(R"([{"pid":1},{"used_mb":3}])")),
            "gpus.json: gpus[1].processes[1].pid: missing");
  EXPECT_EQ(error_of(with(R"([{"pid":0}])")),
            "gpus.json: gpus[1].processes[0].pid: expected an integer from 1 to 2147483647");
  EXPECT_EQ(error_of(with(R"([{"pid":5,"used_mb":-2}])")),
            "gpus.json: gpus[1].processes[0].used_mb: expected an integer from 0 to "
            "9223372036854775807");
  EXPECT_EQ(error_of(with(R"([{"pid":5,"user":"bob"}])")),
            "gpus.json: gpus[1].processes[0].user: unknown member");
}

TEST(FileGpuInventoryTest, ReReadsTheFileOnEverySample) {
  TempDir dir;
  std::string path =
      dir.write("gpus.json", R"({"gpus":[{"name":"Fake H100","memory_total_mb":81559}]})");
  FileGpuInventory inventory(path);
  auto first = inventory.sample();
  ASSERT_TRUE(first.is_ok()) << first.status().message();
  EXPECT_TRUE((*first)[0].processes.empty());
  dir.write("gpus.json", R"({"gpus":[{"name":"Fake H100","memory_total_mb":81559,)"
                         R"("memory_used_mb":2000,"processes":[{"pid":77,"used_mb":2000}]}]})");
  auto second = inventory.sample();
  ASSERT_TRUE(second.is_ok()) << second.status().message();
  EXPECT_THAT((*second)[0].processes, ElementsAre(GpuProcess{77, 2000}));
  EXPECT_EQ(inventory.description(), "fake GPUs from " + path);
}

TEST(FileGpuInventoryTest, MissingOrBrokenFileFailsTheSampleWithItsPath) {
  TempDir dir;
  FileGpuInventory missing(dir.path() / "absent.json");
  auto gpus = missing.sample();
  ASSERT_FALSE(gpus.is_ok());
  EXPECT_EQ(gpus.status().message(),
            (dir.path() / "absent.json").string() + ": cannot read the fake-GPU file");
  std::string path = dir.write("gpus.json", R"({"gpus":[{"name":"a"}]})");
  gpus = FileGpuInventory(path).sample();
  ASSERT_FALSE(gpus.is_ok());
  EXPECT_EQ(gpus.status().message(), path + ": gpus[0].memory_total_mb: missing");
}

}  // namespace
}  // namespace labsweep::agent
