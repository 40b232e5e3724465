// The log of refused HTTP requests: one line per address and reason per minute, the refusals in
// between counted into the next line, and nothing a client sent can forge a line.

#include "orchestrator/refusal_log.h"

#include <gmock/gmock.h>

#include "tests/support/fake_clock.h"

namespace labsweep::orchestrator {
namespace {

using labsweep::testing::FakeClock;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class RefusalLogTest : public ::testing::Test {
 protected:
  void refuse(std::string_view peer, std::string_view reason = "no token") {
    log_.refused(
        {.peer = peer, .method = "GET", .path = "/api/v1/sweeps", .status = 401, .reason = reason});
  }

  FakeClock clock_;
  std::vector<std::string> lines_;
  RefusalLog log_{clock_, [this](const std::string& line) { lines_.push_back(line); }};
};

TEST_F(RefusalLogTest, ARefusalIsLoggedWithWhoWhatAndWhy) {
  log_.refused({.peer = "10.0.0.5",
                .method = "POST",
                .path = "/api/v1/sweeps/3/stop",
                .status = 403,
                .reason = "cross-origin request from 'http://evil.example' refused"});
  EXPECT_THAT(lines_, ElementsAre("refused POST /api/v1/sweeps/3/stop from 10.0.0.5 (403): "
                                  "cross-origin request from 'http://evil.example' refused"));
}

TEST_F(RefusalLogTest, AClientThatKeepsKnockingIsLoggedOncePerWindowWithACount) {
  refuse("10.0.0.5");
  for (int i = 0; i < 50; ++i) {
    clock_.advance(std::chrono::seconds(1));
    refuse("10.0.0.5");
  }
  ASSERT_THAT(lines_, SizeIs(1));
  clock_.advance(RefusalLog::kWindow);
  refuse("10.0.0.5");
  ASSERT_THAT(lines_, SizeIs(2));
  EXPECT_EQ(lines_[1],
            "refused GET /api/v1/sweeps from 10.0.0.5 (401): no token (and 50 more like it from "
            "10.0.0.5 since the last such line)");
  clock_.advance(RefusalLog::kWindow);
  refuse("10.0.0.5");
  EXPECT_EQ(lines_[2], "refused GET /api/v1/sweeps from 10.0.0.5 (401): no token");
}

TEST_F(RefusalLogTest, AnotherAddressOrReasonHasItsOwnWindow) {
  refuse("10.0.0.5");
  refuse("10.0.0.6");
  refuse("10.0.0.5", "the API token is not valid");
  refuse("10.0.0.5");
  EXPECT_THAT(lines_, SizeIs(3));
}

TEST_F(RefusalLogTest, WhatAClientSentCannotStartALineOfItsOwn) {
  log_.refused({.peer = "10.0.0.5",
                .method = "GET",
                .path = "/x\nlabsweep server: all is well\x7f",
                .status = 401,
                .reason = "no token"});
  ASSERT_THAT(lines_, SizeIs(1));
  EXPECT_EQ(lines_[0],
            "refused GET /x\\x0alabsweep server: all is well\\x7f from 10.0.0.5 (401): no token");
}

TEST_F(RefusalLogTest, ALongPathIsCut) {
  log_.refused({.peer = "10.0.0.5",
                .method = "GET",
                .path = std::string(5000, 'a'),
                .status = 401,
                .reason = "no token"});
  ASSERT_THAT(lines_, SizeIs(1));
  EXPECT_THAT(lines_[0], HasSubstr(std::string(200, 'a') + "... from 10.0.0.5"));
  EXPECT_LT(lines_[0].size(), 300u);
}

TEST_F(RefusalLogTest, ManyAddressesAreForgottenOnceTheirWindowsCloseAndTheirCountsAreLogged) {
  for (int i = 0; i < 1024; ++i)
    refuse("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256));
  refuse("10.1.0.0");  // within its window: counted, not logged
  ASSERT_THAT(lines_, SizeIs(1024));
  clock_.advance(RefusalLog::kWindow);
  refuse("10.2.0.0");
  // The closed windows are dropped; the one that had a refusal not yet logged says so.
  ASSERT_THAT(lines_, SizeIs(1026));
  EXPECT_EQ(lines_[1024],
            "refused requests from 10.1.0.0: no token (and 1 more like it from 10.1.0.0 since the "
            "last such line)");
  EXPECT_EQ(lines_[1025], "refused GET /api/v1/sweeps from 10.2.0.0 (401): no token");
}

}  // namespace
}  // namespace labsweep::orchestrator
