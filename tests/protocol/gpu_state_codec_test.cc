// The GPU state's optional members (docs/protocol.md, "GPU state"): memory used by everyone and
// utilisation travel when the agent knows them, are left out when it does not, frames of agents
// that never send them still decode, and values out of range are refused.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/codec.h"

namespace labsweep::protocol {
namespace {

using nlohmann::json;

std::string frame_of(const json& j) {
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

// A heartbeat holding one GPU state, as the agent of protocol version 1 before these members
// wrote it.
json heartbeat_with(const json& gpu) {
  return {{"v", kProtocolVersion}, {"t", "heartbeat"}, {"gpus", json::array({gpu})}};
}

json old_gpu() {
  return {{"index", 1},
          {"name", "NVIDIA H100"},
          {"memory_total_mb", 81559},
          {"memory_used_by_others_mb", 0},
          {"used_by_others", false}};
}

Result<GpuState> decode_gpu(const json& gpu) {
  Result<Message> m = decode(frame_of(heartbeat_with(gpu)));
  if (!m.is_ok()) return m.status();
  return std::get<Heartbeat>(*m).gpus.at(0);
}

TEST(GpuStateCodecTest, UtilisationAndMemoryUsedRoundTrip) {
  GpuState gpu{0, "NVIDIA H100", 81559, 30000, true, 41000, 87};
  for (const Message& m : {Message{Heartbeat{{gpu}}}, Message{Hello{"a", "h", {gpu}, 0, 1, {}}}}) {
    Result<Message> back = decode(encode(m));
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(*back, m) << type_name(m);
  }
}

TEST(GpuStateCodecTest, TheBoundsThemselvesAreValid) {
  for (int percent : {0, 100}) {
    json gpu = old_gpu();
    gpu["utilization_percent"] = percent;
    gpu["memory_used_mb"] = 0;
    Result<GpuState> got = decode_gpu(gpu);
    ASSERT_TRUE(got.is_ok()) << got.status().message();
    EXPECT_EQ(got->utilization_percent, percent);
    EXPECT_EQ(got->memory_used_mb, 0);
  }
}

TEST(GpuStateCodecTest, UnknownValuesAreLeftOutOfTheFrame) {
  GpuState gpu{2, "NVIDIA A100", 40960, 0, false, std::nullopt, std::nullopt};
  json j = json::from_msgpack(encode(Heartbeat{{gpu}}));
  EXPECT_EQ(j["gpus"][0], json({{"index", 2},
                                {"name", "NVIDIA A100"},
                                {"memory_total_mb", 40960},
                                {"memory_used_by_others_mb", 0},
                                {"used_by_others", false}}));
  gpu.utilization_percent = 5;
  j = json::from_msgpack(encode(Heartbeat{{gpu}}));
  EXPECT_EQ(j["gpus"][0]["utilization_percent"], 5);
  EXPECT_FALSE(j["gpus"][0].contains("memory_used_mb"));
}

// An agent built before these members existed sends neither: the state decodes with both unknown.
TEST(GpuStateCodecTest, StatesWithoutThemAreUnknownNotZero) {
  Result<GpuState> got = decode_gpu(old_gpu());
  ASSERT_TRUE(got.is_ok()) << got.status().message();
  EXPECT_EQ(got->index, 1);
  EXPECT_EQ(got->utilization_percent, std::nullopt);
  EXPECT_EQ(got->memory_used_mb, std::nullopt);
}

TEST(GpuStateCodecTest, MalformedValuesSpoilTheList) {
  const std::vector<std::pair<std::string, json>> bad = {
      {"utilization_percent", -1},      {"utilization_percent", 101},
      {"utilization_percent", 50.5},    {"utilization_percent", "50"},
      {"utilization_percent", nullptr}, {"utilization_percent", json::array({50})},
      {"utilization_percent", true},    {"utilization_percent", uint64_t{1} << 40},
      {"memory_used_mb", -1},           {"memory_used_mb", "1024"},
      {"memory_used_mb", 1.5},          {"memory_used_mb", nullptr},
      {"memory_used_mb", UINT64_MAX},   {"memory_used_mb", json::object()},
  };
  for (const auto& [field, value] : bad) {
    json gpu = old_gpu();
    gpu[field] = value;
    Result<Message> m = decode(frame_of(heartbeat_with(gpu)));
    ASSERT_FALSE(m.is_ok()) << field << " = " << value.dump();
    EXPECT_EQ(m.status().message(), "heartbeat: field 'gpus': expected a list of well-formed items")
        << field << " = " << value.dump();
  }
}

TEST(GpuStateCodecTest, ARepeatedMemberIsRefused) {
  // nlohmann's maps cannot repeat a key, so the frame is written by hand: a heartbeat with one
  // GPU whose map says utilization_percent twice.
  std::string gpu = frame_of(old_gpu());
  gpu[0] = static_cast<char>(0x87);  // fixmap of 7 entries instead of 5
  std::string util = frame_of({{"utilization_percent", 3}}).substr(1);
  std::string frame = frame_of({{"v", kProtocolVersion}, {"t", "heartbeat"}}).substr(1);
  frame = std::string(1, static_cast<char>(0x83)) + frame + frame_of("gpus") +
          std::string(1, static_cast<char>(0x91)) + gpu + util + util;
  Result<Message> m = decode(frame);
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().message(), "heartbeat: field 'gpus': expected a list of well-formed items");
  // The same bytes with the member once decode, so it is the repetition that is refused.
  std::string once = frame;
  once.resize(once.size() - util.size());
  once[once.size() - gpu.size() - util.size()] = static_cast<char>(0x86);
  Result<Message> ok = decode(once);
  ASSERT_TRUE(ok.is_ok()) << ok.status().message();
  EXPECT_EQ(std::get<Heartbeat>(*ok).gpus.at(0).utilization_percent, 3);
}

}  // namespace
}  // namespace labsweep::protocol
