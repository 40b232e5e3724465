// What the trial page reads (docs/http-api.md): a trial's output, polled with `after`; the
// command in the Trial object; a trial's events. A real store, real HTTP on 127.0.0.1.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestrator/utf8_tail.h"
#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;

class HttpTrialPageTest : public HttpApiTest {
 protected:
  void SetUp() override {
    HttpApiTest::SetUp();
    sweep_ = add_sweep();
    trial_ = add_trial(sweep_, 0, R"({"lr": 0.1, "batch": 16})");
  }

  void append(int64_t offset, std::string data,
              store::OutputStream stream = store::OutputStream::kStdout) {
    write(store::AppendTrialOutput{
        .trial = trial_, .stream = stream, .offset = offset, .data = std::move(data)});
  }

  std::string output_path(const std::string& rest = "stdout") const {
    return "/api/v1/trials/" + std::to_string(trial_.value) + "/output/" + rest;
  }

  store::SweepId sweep_;
  store::TrialId trial_;
};

TEST_F(HttpTrialPageTest, OutputFromTheStartThenOnlyWhatIsNew) {
  append(0, "epoch 1\n");
  append(0, "warn\n", store::OutputStream::kStderr);
  Reply first = get(output_path());
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body, json({{"trial", trial_.value},
                              {"stream", "stdout"},
                              {"start", 0},
                              {"end", 8},
                              {"text", "epoch 1\n"},
                              {"truncated", false}}));
  EXPECT_EQ(get(output_path("stderr")).body["text"], "warn\n");

  Reply nothing = get(output_path() + "?after=8");
  EXPECT_EQ(nothing.body["text"], "");
  EXPECT_EQ(nothing.body["end"], 8);

  append(8, "epoch 2\n");
  Reply next = get(output_path() + "?after=8");
  EXPECT_EQ(next.body["text"], "epoch 2\n");
  EXPECT_EQ(next.body["end"], 16);
  EXPECT_EQ(next.body["truncated"], false);
  EXPECT_EQ(get(output_path() + "?after=3").body["text"], "ch 1\nepoch 2\n");
}

TEST_F(HttpTrialPageTest, ATrialWithoutOutputHasAnEmptyOne) {
  Reply empty = get(output_path());
  ASSERT_EQ(empty.status, 200) << empty.raw;
  EXPECT_EQ(empty.body["text"], "");
  EXPECT_EQ(empty.body["start"], 0);
  EXPECT_EQ(empty.body["end"], 0);
  EXPECT_EQ(empty.body["truncated"], false);
}

TEST_F(HttpTrialPageTest, BytesBeforeWhatIsKeptAreSaidToBeMissing) {
  append(0, "lost\n");
  append(1000, "kept\n");  // the agent skipped ahead
  Reply from_start = get(output_path());
  EXPECT_EQ(from_start.body["start"], 1000);
  EXPECT_EQ(from_start.body["text"], "kept\n");
  EXPECT_EQ(from_start.body["truncated"], true);
  EXPECT_EQ(get(output_path() + "?after=5").body["truncated"], true);
  EXPECT_EQ(get(output_path() + "?after=1002").body["truncated"], false);
}

TEST_F(HttpTrialPageTest, AnOffsetPastTheEndMeansTheOutputStartedOver) {
  append(0, "second attempt\n");
  Reply reply = get(output_path() + "?after=5000");
  EXPECT_EQ(reply.body["text"], "second attempt\n");
  EXPECT_EQ(reply.body["end"], 15);
}

TEST_F(HttpTrialPageTest, InvalidBytesBecomeReplacementCharacters) {
  append(0, std::string("ok \xff\xfe done\n"));
  EXPECT_EQ(get(output_path()).body["text"], "ok \xEF\xBF\xBD\xEF\xBF\xBD done\n");
}

// "€" is e2 82 ac: a chunk that ends after e2 82 leaves them for the next poll.
TEST_F(HttpTrialPageTest, ACharacterCutAtTheEndWaitsForItsLastByte) {
  append(0, std::string("price: \xe2\x82", 9));
  Reply cut = get(output_path());
  EXPECT_EQ(cut.body["text"], "price: ");
  EXPECT_EQ(cut.body["end"], 7);
  append(9, std::string("\xac\n", 2));
  Reply rest = get(output_path() + "?after=7");
  EXPECT_EQ(rest.body["text"], "\xe2\x82\xac\n");
  EXPECT_EQ(rest.body["end"], 11);
}

TEST_F(HttpTrialPageTest, MalformedOutputRequestsAreRefused) {
  EXPECT_EQ(get(output_path("stdin")).status, 404);
  EXPECT_EQ(get(output_path("")).status, 404);
  EXPECT_EQ(get("/api/v1/trials/0/output/stdout").status, 400);
  EXPECT_EQ(get("/api/v1/trials/abc/output/stdout").status, 400);
  EXPECT_EQ(get("/api/v1/trials/999/output/stdout").status, 404);
  for (const char* query : {"?after=-1", "?after=abc", "?after=", "?after=1&after=2",
                            "?after=99999999999999999999", "?from=3", "?after=1.5"}) {
    Reply reply = get(output_path() + query);
    EXPECT_EQ(reply.status, 400) << query << ": " << reply.raw;
    EXPECT_TRUE(reply.body.contains("error")) << query;
  }
  EXPECT_EQ(reply_of(client_->Post(output_path().c_str(), "", "application/json")).status, 405);
}

TEST_F(HttpTrialPageTest, TheTrialCarriesItsCommandWithEnvironmentVariablesUnexpanded) {
  store::SweepId sweep = add_sweep(R"(method: grid
program: train.py
command:
  - ${env}
  - ${interpreter}
  - ${program}
  - --token=${envvar:SECRET_TOKEN}
  - ${args}
parameters:
  lr:
    values: [0.1]
)");
  store::TrialId trial = add_trial(sweep, 0, R"({"lr": 0.1})");
  Reply reply = get("/api/v1/trials/" + std::to_string(trial.value));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["command"], json({"/usr/bin/env", "python", "train.py",
                                         "--token=${envvar:SECRET_TOKEN}", "--lr=0.1"}));
}

TEST_F(HttpTrialPageTest, ATrialWhoseSweepFileNoLongerReadsHasNoCommand) {
  store::SweepId sweep = add_sweep("method: [not, a, method]\n");
  store::TrialId trial = add_trial(sweep, 0);
  Reply reply = get("/api/v1/trials/" + std::to_string(trial.value));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["command"], nullptr);
}

TEST_F(HttpTrialPageTest, EventsOfOneTrial) {
  store::TrialId other = add_trial(sweep_, 1);
  write(store::AddEvent{.time_ms = 1, .sweep = sweep_, .trial = trial_, .kind = "trial_started"});
  write(store::AddEvent{.time_ms = 2, .sweep = sweep_, .trial = other, .kind = "trial_started"});
  write(store::AddEvent{.time_ms = 3, .sweep = sweep_, .kind = "sweep_stopped"});
  write(store::AddEvent{.time_ms = 4, .sweep = sweep_, .trial = trial_, .kind = "trial_failed"});
  Reply mine = get("/api/v1/events?trial=" + std::to_string(trial_.value));
  ASSERT_EQ(mine.status, 200) << mine.raw;
  ASSERT_EQ(mine.body["events"].size(), 2u);
  EXPECT_EQ(mine.body["events"][0]["kind"], "trial_started");
  EXPECT_EQ(mine.body["events"][1]["kind"], "trial_failed");
  EXPECT_EQ(mine.body["events"][1]["trial"], trial_.value);
  Reply after = get("/api/v1/events?trial=" + std::to_string(trial_.value) +
                    "&after=" + std::to_string(mine.body["events"][0]["id"].get<int64_t>()));
  ASSERT_EQ(after.body["events"].size(), 1u);
  EXPECT_EQ(get("/api/v1/events?trial=999").body["events"], json::array());
  for (const char* query : {"trial=0", "trial=-1", "trial=x", "trial=", "trial=1&trial=2"}) {
    Reply bad = get(std::string("/api/v1/events?") + query);
    EXPECT_EQ(bad.status, 400) << query;
    EXPECT_THAT(bad.body["error"].get<std::string>(), HasSubstr("trial")) << query;
  }
}

TEST(Utf8TailTest, KeepsWholeCharactersAndHoldsBackACutOne) {
  EXPECT_EQ(without_partial_character(""), "");
  EXPECT_EQ(without_partial_character("abc"), "abc");
  EXPECT_EQ(without_partial_character("a\xc3\xa9"), "a\xc3\xa9");  // é whole
  EXPECT_EQ(without_partial_character("a\xc3"), "a");              // é cut
  EXPECT_EQ(without_partial_character("a\xf0\x9f\x98"), "a");      // 😀 cut
  EXPECT_EQ(without_partial_character("a\xf0\x9f\x98\x80"), "a\xf0\x9f\x98\x80");
  EXPECT_EQ(without_partial_character("a\xff"), "a\xff");  // never UTF-8: left as it is
  EXPECT_EQ(without_partial_character("a\x80\x80\x80"), "a\x80\x80\x80");  // no lead byte
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
