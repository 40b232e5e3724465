#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "protocol/codec.h"
#include "protocol/msgpack_reader.h"
#include "protocol/msgpack_writer.h"

namespace labsweep::protocol {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// nlohmann's decoder is the independent reference for what the writer produces.
json reference(const std::string& bytes) { return json::from_msgpack(bytes); }

std::string msgpack_of(const json& j) {
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

TEST(MsgpackWriterTest, IntegersAtEveryWidthBoundary) {
  const int64_t signed_values[] = {0,
                                   1,
                                   127,
                                   128,
                                   255,
                                   256,
                                   65535,
                                   65536,
                                   -1,
                                   -32,
                                   -33,
                                   -128,
                                   -129,
                                   -32768,
                                   -32769,
                                   INT32_MIN,
                                   int64_t{INT32_MIN} - 1,
                                   INT64_MIN,
                                   INT64_MAX};
  for (int64_t v : signed_values) {
    MsgpackWriter w;
    w.integer(v);
    EXPECT_EQ(reference(w.bytes()).get<int64_t>(), v) << v;
    MsgpackReader r(w.bytes());
    int64_t back = 0;
    ASSERT_TRUE(r.integer(back)) << v;
    EXPECT_EQ(back, v);
    EXPECT_TRUE(r.at_end());
  }
  const uint64_t unsigned_values[] = {0, 127, 128, 0xffffffffu, 0x100000000u, UINT64_MAX};
  for (uint64_t v : unsigned_values) {
    MsgpackWriter w;
    w.unsigned_integer(v);
    EXPECT_EQ(reference(w.bytes()).get<uint64_t>(), v) << v;
    MsgpackReader r(w.bytes());
    uint64_t back = 0;
    ASSERT_TRUE(r.integer(back)) << v;
    EXPECT_EQ(back, v);
  }
}

TEST(MsgpackWriterTest, SmallestEncodings) {
  MsgpackWriter w;
  w.integer(5);
  w.integer(-3);
  w.str("ab");
  w.array(2);
  w.map(1);
  EXPECT_EQ(w.bytes(), std::string("\x05\xfd\xa2"
                                   "ab\x92\x81",
                                   7));
}

TEST(MsgpackWriterTest, StringsAndContainersAtEveryWidthBoundary) {
  for (size_t size : {size_t{0}, size_t{31}, size_t{32}, size_t{255}, size_t{256}, size_t{65535},
                      size_t{65536}}) {
    MsgpackWriter w;
    w.array(3);
    w.str(std::string(size, 'x'));
    w.array(static_cast<uint32_t>(size));
    for (size_t i = 0; i < size; ++i) w.boolean(i % 2 == 0);
    w.map(static_cast<uint32_t>(size));
    for (size_t i = 0; i < size; ++i) w.entry("k" + std::to_string(i), static_cast<int64_t>(i));
    json j = reference(w.bytes());
    EXPECT_EQ(j[0].get<std::string>().size(), size);
    EXPECT_EQ(j[1].size(), size);
    EXPECT_EQ(j[2].size(), size);
    EXPECT_TRUE(validate_msgpack(w.bytes(), 16).is_ok()) << size;
  }
}

TEST(MsgpackWriterTest, FloatsRoundTripExactly) {
  for (double v : {0.0, -0.0, 0.1, 1e308, -1e-308, std::numeric_limits<double>::infinity(),
                   std::numeric_limits<double>::denorm_min()}) {
    MsgpackWriter w;
    w.float64(v);
    MsgpackReader r(w.bytes());
    double back = 0;
    ASSERT_TRUE(r.number(back));
    EXPECT_EQ(std::signbit(back), std::signbit(v));
    EXPECT_EQ(back, v);
  }
  MsgpackWriter w;
  w.float64(std::nan(""));
  MsgpackReader r(w.bytes());
  double back = 0;
  ASSERT_TRUE(r.number(back));
  EXPECT_TRUE(std::isnan(back));
}

TEST(MsgpackReaderTest, NumbersFromOtherEncoders) {
  // float32 (0xca), as other MessagePack libraries write values that fit it, and integers.
  std::string bytes = std::string("\xca\x3f\xc0\x00\x00", 5) + msgpack_of(-7) + msgpack_of(300);
  MsgpackReader r(bytes);
  double a = 0, b = 0, c = 0;
  ASSERT_TRUE(r.number(a));
  ASSERT_TRUE(r.number(b));
  ASSERT_TRUE(r.number(c));
  EXPECT_EQ(a, 1.5);
  EXPECT_EQ(b, -7);
  EXPECT_EQ(c, 300);
}

TEST(MsgpackReaderTest, WrongTypeOrRangeConsumesNothing) {
  std::string bytes = msgpack_of(json::array({300, -1, "s", true}));
  MsgpackReader r(bytes);
  uint32_t items = 0;
  ASSERT_TRUE(r.array(items));
  EXPECT_EQ(items, 4u);
  uint8_t small = 0;
  EXPECT_FALSE(r.integer(small));  // 300 does not fit
  std::string_view text;
  EXPECT_FALSE(r.str(text));
  int value = 0;
  ASSERT_TRUE(r.integer(value));
  EXPECT_EQ(value, 300);
  uint64_t unsigned_value = 0;
  EXPECT_FALSE(r.integer(unsigned_value));  // -1 is not unsigned
  r.skip();
  bool flag = false;
  EXPECT_FALSE(r.boolean(flag));
  ASSERT_TRUE(r.str(text));
  EXPECT_EQ(text, "s");
  ASSERT_TRUE(r.boolean(flag));
  EXPECT_TRUE(flag);
  EXPECT_TRUE(r.at_end());
}

TEST(MsgpackReaderTest, SkipsWholeContainers) {
  std::string bytes =
      msgpack_of(json::array({json::object({{"a", {1, {2, {3}}}}, {"b", "x"}}), 9}));
  MsgpackReader r(bytes);
  uint32_t items = 0;
  ASSERT_TRUE(r.array(items));
  r.skip();
  int nine = 0;
  ASSERT_TRUE(r.integer(nine));
  EXPECT_EQ(nine, 9);
  EXPECT_TRUE(r.at_end());
}

TEST(MsgpackValidateTest, RefusesMalformedBytes) {
  EXPECT_EQ(validate_msgpack("", 16).message(), "empty frame");
  EXPECT_THAT(validate_msgpack("\xc1", 16).message(), HasSubstr("byte 0xc1 is never used"));
  EXPECT_THAT(validate_msgpack(std::string("\x92\x01", 2), 16).message(),
              HasSubstr("ends inside a value"));
  EXPECT_THAT(validate_msgpack(std::string("\x01\x02", 2), 16).message(),
              HasSubstr("at byte 1: 1 bytes after the value"));
  EXPECT_THAT(validate_msgpack(std::string("\xa5"
                                           "abc",
                                           4),
                               16)
                  .message(),
              HasSubstr("ends inside a value"));
  // A map32 claiming 2^32-1 entries, and a bin32 and an ext32 claiming 4 GiB, with no data.
  for (const char* head :
       {"\xdf\xff\xff\xff\xff", "\xc6\xff\xff\xff\xff", "\xc9\xff\xff\xff\xff"}) {
    EXPECT_THAT(validate_msgpack(std::string(head, 5), 16).message(),
                HasSubstr("ends inside a value"));
  }
}

TEST(MsgpackValidateTest, BoundsNesting) {
  std::string sixteen(16, '\x91');
  EXPECT_TRUE(validate_msgpack(sixteen + '\xc0', 16).is_ok());
  EXPECT_THAT(validate_msgpack(sixteen + "\x91\xc0", 16).message(),
              HasSubstr("at byte 16: nested deeper than 16 levels"));
  // Depth counts open containers only: many siblings at one level are fine.
  MsgpackWriter w;
  w.array(1000);
  for (int i = 0; i < 1000; ++i) w.array(0);
  EXPECT_TRUE(validate_msgpack(w.bytes(), 2).is_ok());
}

TEST(MsgpackValidateTest, AcceptsEveryKindOfValue) {
  // nil, booleans, bin8, fixext1, ext8, float32, float64, every integer width, str8.
  static constexpr char kBytes[] =
      "\x9f\xc0\xc2\xc3\xc4\x02zz\xd4\x01z\xc7\x01\x01z\xca\x00\x00\x00\x00"
      "\xcb\x00\x00\x00\x00\x00\x00\x00\x00\xcc\x01\xd1\x00\x01\xce\x00\x00\x00\x01"
      "\xd3\x00\x00\x00\x00\x00\x00\x00\x01\xd9\x01z\xe0\x7f";
  std::string bytes(kBytes, sizeof kBytes - 1);
  EXPECT_TRUE(validate_msgpack(bytes, 16).is_ok()) << validate_msgpack(bytes, 16).message();
  EXPECT_EQ(reference(bytes).size(), 15u);
}

// The codec over the reader: fields by name in any order, unknown ones skipped, none twice.
TEST(MsgpackCodecTest, FieldsInAnyOrderAndUnknownOnesSkipped) {
  std::string frame = msgpack_of({{"seq", 4}, {"future", {{"x", {1, 2}}}}, {"t", "ack"}, {"v", 1}});
  Result<Message> m = decode(frame);
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(std::get<Ack>(*m).seq, 4u);
}

TEST(MsgpackCodecTest, RepeatedAndNonStringKeysAreRefused) {
  MsgpackWriter w;
  w.map(4);
  w.entry("v", 1);
  w.entry("t", "ack");
  w.entry("seq", 1);
  w.entry("seq", 2);
  EXPECT_EQ(decode(w.bytes()).status().message(), "ack: field 'seq' is repeated");
  MsgpackWriter k;
  k.map(3);
  k.entry("v", 1);
  k.entry("t", "ack");
  k.integer(7);
  k.integer(1);
  EXPECT_EQ(decode(k.bytes()).status().message(), "field names must be strings");
}

}  // namespace
}  // namespace labsweep::protocol
