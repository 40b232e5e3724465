// The trial_output message (docs/protocol.md, "Trial output"): round trips, raw bytes kept as
// they are, and malformed frames refused with the field named.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocol/codec.h"

namespace labsweep::protocol {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string frame_of(const json& j) {
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

std::string error_of(const json& j) {
  Result<Message> m = decode(frame_of(j));
  EXPECT_FALSE(m.is_ok()) << j.dump();
  return m.is_ok() ? "" : m.status().message();
}

json good() {
  return {{"v", kProtocolVersion}, {"t", "trial_output"}, {"trial_id", 42},
          {"stream", "stderr"},    {"offset", 4096},      {"data", "step 3\n"}};
}

TEST(TrialOutputCodecTest, RoundTripsBothStreams) {
  for (TrialOutput::Stream stream : {TrialOutput::Stream::kStdout, TrialOutput::Stream::kStderr}) {
    TrialOutput out{42, stream, int64_t{1} << 40, "epoch 1\nepoch 2\n"};
    Result<Message> back = decode(encode(out));
    ASSERT_TRUE(back.is_ok()) << back.status().message();
    EXPECT_EQ(std::get<TrialOutput>(*back), out);
  }
}

TEST(TrialOutputCodecTest, NamesTheStreamOnTheWire) {
  json j = json::from_msgpack(encode(TrialOutput{7, TrialOutput::Stream::kStderr, 0, "x"}));
  EXPECT_EQ(j["t"], "trial_output");
  EXPECT_EQ(j["stream"], "stderr");
  EXPECT_EQ(j["offset"], 0);
}

// A chunk may end inside a UTF-8 character, and a trial may write any bytes at all.
TEST(TrialOutputCodecTest, DataIsKeptByteForByte) {
  std::string bytes("\xe2\x82", 2);
  bytes += std::string("\0\xff\xfe\n", 4);
  TrialOutput out{1, TrialOutput::Stream::kStdout, 10, bytes};
  Result<Message> back = decode(encode(out));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(std::get<TrialOutput>(*back).data, bytes);
}

TEST(TrialOutputCodecTest, DecodesTheFrameAsAnotherImplementationWouldWriteIt) {
  Result<Message> m = decode(frame_of(good()));
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  const auto& out = std::get<TrialOutput>(*m);
  EXPECT_EQ(out.trial_id, 42);
  EXPECT_EQ(out.stream, TrialOutput::Stream::kStderr);
  EXPECT_EQ(out.offset, 4096);
  EXPECT_EQ(out.data, "step 3\n");
}

TEST(TrialOutputCodecTest, MissingFieldsAreNamed) {
  for (const char* field : {"trial_id", "stream", "offset", "data"}) {
    json j = good();
    j.erase(field);
    EXPECT_THAT(error_of(j), HasSubstr(std::string("'") + field + "' is missing"));
  }
}

TEST(TrialOutputCodecTest, WrongTypesAreNamed) {
  std::vector<std::pair<const char*, json>> bad = {{"trial_id", "42"}, {"trial_id", 1.5},
                                                   {"stream", 1},      {"stream", "stdin"},
                                                   {"stream", ""},     {"stream", "STDOUT"},
                                                   {"offset", "0"},    {"offset", -1},
                                                   {"data", 3},        {"data", json::array({"a"})},
                                                   {"offset", 1.0}};
  for (const auto& [field, value] : bad) {
    json j = good();
    j[field] = value;
    EXPECT_THAT(error_of(j), HasSubstr(std::string("'") + field + "'")) << j.dump();
  }
}

TEST(TrialOutputCodecTest, RepeatedFieldsAreRefused) {
  // json objects cannot repeat a key: the frame is written by hand.
  std::string frame = encode(TrialOutput{1, TrialOutput::Stream::kStdout, 0, "a"});
  frame[0] = static_cast<char>(0x87);  // a fixmap of 7 entries: 6 and one more
  frame += frame_of(json("offset")) + frame_of(json(5));
  EXPECT_THAT(decode(frame).status().message(), HasSubstr("'offset' is repeated"));
}

TEST(TrialOutputCodecTest, UnknownFieldsAreSkipped) {
  json j = good();
  j["later"] = json::array({1, 2, 3});
  EXPECT_TRUE(decode(frame_of(j)).is_ok());
}

TEST(TrialOutputCodecTest, TruncatedFramesAreRefused) {
  std::string frame = encode(TrialOutput{42, TrialOutput::Stream::kStdout, 9, "some output\n"});
  for (size_t n = 0; n < frame.size(); ++n) {
    EXPECT_FALSE(decode(frame.substr(0, n)).is_ok()) << n;
  }
}

}  // namespace
}  // namespace labsweep::protocol
