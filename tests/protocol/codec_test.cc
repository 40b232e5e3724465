#include "protocol/codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace labsweep::protocol {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string frame_of(const json& j) {
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

std::string error_of(std::string_view frame) {
  Result<Message> m = decode(frame);
  EXPECT_FALSE(m.is_ok());
  return m.is_ok() ? "" : m.status().message();
}

std::vector<Message> one_of_each() {
  GpuState gpu{0, "NVIDIA H100", 81559, 512, true};
  Assign assign;
  assign.trial_id = 42;
  assign.sweep_id = 7;
  assign.argv = {"/usr/bin/env", "python", "train.py", "--lr=0.1", "--name=two words"};
  assign.env = {{"WANDB_MODE", "offline"}};
  assign.gpus = {2, 3};
  assign.params_json = R"({"lr": 0.1})";
  assign.stdout_regex = "(\\w+)=([0-9.]+)";
  assign.stop_grace = std::chrono::seconds(5);
  assign.kill_delay = std::chrono::seconds(2);
  return {
      Hello{"gpu-07", "gpu-07.lab", {gpu}, 4, 2, {11, 12}},
      Welcome{std::chrono::milliseconds(1500)},
      Heartbeat{{gpu, GpuState{1, "NVIDIA H100", 81559, 0, false}}},
      assign,
      Stop{42, "rung 3: val_loss 0.41 is not in the top 1/3"},
      Metrics{9, 42, {{1, "loss", 0.5, 1700000000000}, {1, "acc", 0.81, 1700000000000}}},
      TrialStarted{10, 42, 1700000000001},
      TrialEnded{11, 42, 1, 0, false, "Traceback ...\nValueError: boom\n", 1700000000002},
      TrialEnded{12, 43, 0, 9, true, "", 1700000000003},
      Ack{12},
      Decide{5, 42, 3},
      Decision{5, 42, 3, true, "rung 3: loss 0.93 is not in the top 1/3 (cut-off 0.71)"},
      Decision{6, 43, 7, false, ""},
  };
}

TEST(CodecTest, EveryMessageRoundTrips) {
  for (const Message& m : one_of_each()) {
    Result<Message> back = decode(encode(m));
    ASSERT_TRUE(back.is_ok()) << type_name(m) << ": " << back.status().message();
    EXPECT_EQ(*back, m) << type_name(m);
  }
}

TEST(CodecTest, FramesCarryVersionAndType) {
  json j = json::from_msgpack(encode(Ack{3}));
  EXPECT_EQ(j["v"], kProtocolVersion);
  EXPECT_EQ(j["t"], "ack");
  EXPECT_EQ(j["seq"], 3);
}

TEST(CodecTest, ExtremeNumbersSurvive) {
  Metrics m{UINT64_MAX, INT64_MIN, {{INT64_MAX, "x", -1e308, 0}, {0, "nan", std::nan(""), 0}}};
  Result<Message> back = decode(encode(m));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  const auto& got = std::get<Metrics>(*back);
  EXPECT_EQ(got.seq, UINT64_MAX);
  EXPECT_EQ(got.trial_id, INT64_MIN);
  EXPECT_EQ(got.points[0].step, INT64_MAX);
  EXPECT_TRUE(std::isnan(got.points[1].value));
}

TEST(CodecTest, NotMessagePack) {
  EXPECT_EQ(error_of(""), "empty frame");
  EXPECT_THAT(error_of("\xc1"), HasSubstr("malformed MessagePack"));  // 0xc1 is never used
  EXPECT_THAT(error_of("hello agent"), HasSubstr("malformed MessagePack"));
}

TEST(CodecTest, TruncatedFrames) {
  std::string frame = encode(one_of_each()[3]);
  for (size_t n = 1; n < frame.size(); ++n) {
    EXPECT_FALSE(decode(std::string_view(frame).substr(0, n)).is_ok()) << n;
  }
}

TEST(CodecTest, TrailingBytes) {
  EXPECT_THAT(error_of(encode(Ack{1}) + "x"), HasSubstr("malformed MessagePack"));
}

TEST(CodecTest, WrongShapes) {
  EXPECT_EQ(error_of(frame_of(json::array({1, 2}))), "a frame must be a MessagePack map");
  EXPECT_EQ(error_of(frame_of({{"t", "ack"}, {"seq", 1}})), "field 'v' is missing");
  EXPECT_EQ(error_of(frame_of({{"v", 2}, {"t", "ack"}, {"seq", 1}})),
            "protocol version 2 is not 1");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", "launch_missiles"}})),
            "unknown message type 'launch_missiles'");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", 7}})), "field 't': expected a string");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", "ack"}})), "ack: field 'seq' is missing");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", "ack"}, {"seq", -1}})),
            "ack: field 'seq': expected an integer in range");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", "stop"}, {"trial_id", "42"}, {"reason", ""}})),
            "stop: field 'trial_id': expected an integer in range");
  EXPECT_EQ(error_of(frame_of({{"v", 1}, {"t", "welcome"}, {"heartbeat_ms", 1.5}})),
            "welcome: field 'heartbeat_ms': expected an integer in range");
}

TEST(CodecTest, WrongItemsInLists) {
  json assign = json::from_msgpack(encode(one_of_each()[3]));
  assign["argv"] = json::array({"python", 3});
  EXPECT_EQ(error_of(frame_of(assign)),
            "assign: field 'argv': expected a list of well-formed items");
  json metrics = json::from_msgpack(encode(one_of_each()[5]));
  metrics["points"] = json::array({json::array({1, "loss"})});
  EXPECT_EQ(error_of(frame_of(metrics)),
            "metrics: field 'points': expected a list of well-formed items");
  json hello = json::from_msgpack(encode(one_of_each()[0]));
  hello["gpus"][0].erase("name");
  EXPECT_EQ(error_of(frame_of(hello)), "hello: field 'gpus': expected a list of well-formed items");
  hello = json::from_msgpack(encode(one_of_each()[0]));
  hello["running_trials"] = json::array({1.5});
  EXPECT_EQ(error_of(frame_of(hello)),
            "hello: field 'running_trials': expected a list of well-formed items");
}

TEST(CodecTest, DeepNestingIsRefusedWithoutRecursingDeep) {
  std::string deep(1'000'000, '\x91');  // a million nested one-element arrays
  deep += '\xc0';
  EXPECT_THAT(error_of(deep), HasSubstr("nested deeper than 16 levels"));
}

TEST(CodecTest, ClaimedSizesAreNotTrusted) {
  // An array32 header claiming 4 billion elements, and a str32 claiming 4 GiB, with no data.
  EXPECT_THAT(error_of(std::string("\xdd\xff\xff\xff\xff", 5)), HasSubstr("malformed"));
  EXPECT_THAT(error_of(std::string("\xdb\xff\xff\xff\xff", 5)), HasSubstr("malformed"));
}

TEST(CodecTest, OversizedFramesAreRefusedUnread) {
  EXPECT_EQ(error_of(std::string(kMaxFrameBytes + 1, '\0')), "frame larger than 16 MiB");
}

// Random bytes and random mutations of valid frames, from a fixed seed: decode returns a
// message or an error, never crashes or throws.
TEST(CodecTest, RandomFramesNeverCrash) {
  const uint32_t seed = 5555;
  std::mt19937 rng(seed);
  std::vector<std::string> valid;
  for (const Message& m : one_of_each()) valid.push_back(encode(m));
  for (int round = 0; round < 20'000; ++round) {
    std::string frame;
    if (round % 2 == 0) {
      frame.resize(rng() % 64);
      for (char& c : frame) c = static_cast<char>(rng());
    } else {
      frame = valid[rng() % valid.size()];
      for (int e = 0; e < 1 + static_cast<int>(rng() % 4); ++e) {
        frame[rng() % frame.size()] = static_cast<char>(rng());
      }
    }
    Result<Message> m = decode(frame);
    if (m.is_ok()) {
      EXPECT_TRUE(decode(encode(*m)).is_ok()) << "seed " << seed << " round " << round;
    }
  }
}

}  // namespace
}  // namespace labsweep::protocol
