#include "orchestrator/response_compression.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

// Inflates one gzip member; "" when it is not one.
std::string gunzip(const std::string& packed) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 16) != Z_OK) return "";
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  stream.avail_in = static_cast<uInt>(packed.size());
  std::string out;
  int result = Z_OK;
  while (result == Z_OK) {
    char chunk[16384];
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    result = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
  }
  inflateEnd(&stream);
  return result == Z_STREAM_END ? out : "";
}

TEST(AcceptsGzipTest, ReadsCodingsWithTheirQualities) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));  // what chromium sends
  EXPECT_TRUE(accepts_gzip("br;q=1.0, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip(" x-gzip "));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("br, *;q=0.1"));
}

TEST(AcceptsGzipTest, RefusesAbsentZeroQualityAndMalformedCodings) {
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("*;q=0.5, gzip;q=0"));  // the explicit coding decides
  EXPECT_FALSE(accepts_gzip("gzip;q=2"));           // out of range: not read as accepted
  EXPECT_FALSE(accepts_gzip("gzip;q=x"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
  EXPECT_FALSE(accepts_gzip(",,;"));
}

TEST(GzipTest, RoundTripsEmptySmallAndLargeBodies) {
  for (std::string body : {std::string(), std::string("{}"), std::string(300000, 'x')}) {
    std::optional<std::string> packed = gzip(body);
    ASSERT_TRUE(packed.has_value());
    EXPECT_EQ(gunzip(*packed), body);
  }
  std::string json;
  for (int i = 0; i < 20000; ++i)
    json += R"({"id":)" + std::to_string(i) + R"(,"status":"completed"},)";
  std::optional<std::string> packed = gzip(json);
  ASSERT_TRUE(packed.has_value());
  EXPECT_LT(packed->size(), json.size() / 4);
  EXPECT_EQ(gunzip(*packed), json);
}

class HttpCompressionTest : public HttpApiTest {
 protected:
  // A listing well over the threshold: 60 trials.
  void SetUp() override {
    HttpApiTest::SetUp();
    store::SweepId sweep = add_sweep();
    for (int i = 0; i < 60; ++i) add_trial(sweep, i);
    trials_ = "/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials";
    client_->set_decompress(false);  // to see what went over the wire
  }

  std::string trials_;
};

TEST_F(HttpCompressionTest, LargeJsonIsGzippedForClientsThatTakeIt) {
  Reply plain = get(trials_);
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.header("Content-Encoding"), "");
  EXPECT_EQ(plain.header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.header("Content-Type"), "application/json; charset=utf-8");

  // Chromium's header: httplib alone would answer with Brotli at its slowest setting.
  Reply packed = get(trials_, {{"Accept-Encoding", "gzip, deflate, br, zstd"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.header("Content-Encoding"), "gzip");
  EXPECT_EQ(packed.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(gunzip(packed.raw), plain.raw);
  EXPECT_LT(packed.raw.size(), plain.raw.size());
}

TEST_F(HttpCompressionTest, SmallBodiesAndRefusedGzipGoOutAsTheyAre) {
  Reply health = get("/api/v1/health", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(health.header("Content-Encoding"), "");
  Reply refused = get(trials_, {{"Accept-Encoding", "br, gzip;q=0"}});
  EXPECT_EQ(refused.header("Content-Encoding"), "");
  EXPECT_EQ(refused.body["trials"].size(), 60u);
}

#ifndef LABSWEEP_DASHBOARD_NOT_BUILT
TEST_F(HttpCompressionTest, TheDashboardsScriptIsGzippedNotBrotliCompressed) {
  Reply plain = get("/assets/app.js");
  ASSERT_EQ(plain.status, 200);
  Reply packed = get("/assets/app.js", {{"Accept-Encoding", "gzip, deflate, br, zstd"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.header("Content-Encoding"), "gzip");
  EXPECT_EQ(packed.header("Content-Type"), "application/javascript; charset=utf-8");
  EXPECT_EQ(gunzip(packed.raw), plain.raw);
}
#endif

}  // namespace
}  // namespace labsweep::orchestrator::testing
