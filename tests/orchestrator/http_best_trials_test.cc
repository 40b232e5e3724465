// GET /sweeps/{id}/trials?order=best: a sweep's trials ranked by its metric, paged by offset,
// and the parameters it refuses.

#include <gmock/gmock.h>

#include <cmath>
#include <string>
#include <vector>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class HttpBestTrialsTest : public HttpApiTest {
 protected:
  // Trials 0..4 of a minimising sweep: losses 0.5, 0.2, none, NaN only, 0.2 (a tie with 1).
  void add_ranked_trials(std::string_view spec = kGridSpec) {
    sweep_ = add_sweep(spec);
    for (int i = 0; i < 5; ++i) trial_.push_back(add_trial(sweep_, i));
    add_points(trial_[0], "loss", {{0, 0.9}, {1, 0.5}});
    add_points(trial_[1], "loss", {{0, 0.2}, {1, 0.8}});
    add_points(trial_[3], "loss", {{0, std::nan("")}});
    add_points(trial_[4], "loss", {{0, 0.3}, {1, 0.2}});
  }

  std::string path(const std::string& query) const {
    return "/api/v1/sweeps/" + std::to_string(sweep_.value) + "/trials?" + query;
  }

  static std::vector<int64_t> ids(const Reply& reply) {
    std::vector<int64_t> ids;
    for (const json& trial : reply.body["trials"]) ids.push_back(trial["id"].get<int64_t>());
    return ids;
  }
  int64_t id(int index) const { return trial_[index].value; }

  store::SweepId sweep_;
  std::vector<store::TrialId> trial_;
};

TEST_F(HttpBestTrialsTest, RanksByTheSweepMetricThenListsTrialsWithoutAValue) {
  add_ranked_trials();
  Reply reply = get(path("order=best"));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_THAT(ids(reply), ElementsAre(id(1), id(4), id(0), id(2), id(3)));
  EXPECT_EQ(reply.body["next_offset"], nullptr);
  EXPECT_FALSE(reply.body.contains("next_after"));
  const json& best = reply.body["trials"][0];
  EXPECT_EQ(best["metrics"]["loss"]["min"], json({{"value", 0.2}, {"step", 0}}));
  EXPECT_EQ(best["params"], json::object());
}

TEST_F(HttpBestTrialsTest, AMaximisingSweepRanksByTheHighestValue) {
  std::string spec(kGridSpec);
  spec.replace(spec.find("minimize"), 8, "maximize");
  add_ranked_trials(spec);
  Reply reply = get(path("order=best&limit=3"));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_THAT(ids(reply), ElementsAre(id(0), id(1), id(4)));
  EXPECT_EQ(reply.body["next_offset"], 3);
}

TEST_F(HttpBestTrialsTest, PagesWithOffsetUntilNextOffsetIsNull) {
  add_ranked_trials();
  std::vector<int64_t> seen;
  json offset = 0;
  while (!offset.is_null()) {
    Reply reply = get(path("order=best&limit=2&offset=" + offset.dump()));
    ASSERT_EQ(reply.status, 200) << reply.raw;
    for (int64_t trial : ids(reply)) seen.push_back(trial);
    offset = reply.body["next_offset"];
    ASSERT_LE(seen.size(), 5u);
  }
  EXPECT_THAT(seen, ElementsAre(id(1), id(4), id(0), id(2), id(3)));
  Reply past = get(path("order=best&offset=50"));
  ASSERT_EQ(past.status, 200) << past.raw;
  EXPECT_TRUE(past.body["trials"].empty());
  EXPECT_EQ(past.body["next_offset"], nullptr);
}

TEST_F(HttpBestTrialsTest, ASweepWithoutAMetricRanksInIdOrder) {
  std::string spec(kGridSpec);
  spec.erase(spec.find("metric:"), spec.find("parameters:") - spec.find("metric:"));
  add_ranked_trials(spec);
  Reply reply = get(path("order=best&limit=2&offset=1"));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_THAT(ids(reply), ElementsAre(id(1), id(2)));
  EXPECT_EQ(reply.body["next_offset"], 3);
}

TEST_F(HttpBestTrialsTest, IdOrderIsTheDefaultAndCanBeNamed) {
  add_ranked_trials();
  for (const char* query : {"limit=2", "order=id&limit=2"}) {
    Reply reply = get(path(query));
    ASSERT_EQ(reply.status, 200) << reply.raw;
    EXPECT_THAT(ids(reply), ElementsAre(id(0), id(1)));
    EXPECT_EQ(reply.body["next_after"], id(1));
    EXPECT_FALSE(reply.body.contains("next_offset"));
  }
}

TEST_F(HttpBestTrialsTest, MalformedOrMisplacedParametersAreRefused) {
  add_ranked_trials();
  struct Case {
    std::string query;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"order=worst", "query parameter 'order': must be 'id' or 'best', not 'worst'"},
           {"order=", "query parameter 'order'"},
           {"order=best&order=id", "query parameter 'order' is given more than once"},
           {"order=best&offset=-1", "'offset'"},
           {"order=best&offset=1x", "'offset'"},
           {"order=best&offset=99999999999999999999", "'offset'"},
           {"order=best&limit=0", "'limit'"},
           {"order=best&limit=10001", "'limit'"},
           {"order=best&after=3", "query parameter 'after' does not apply to order=best"},
           {"order=best&status=running", "query parameter 'status' does not apply to order=best"},
           {"offset=2", "query parameter 'offset' applies to order=best only"},
           {"order=id&offset=0", "'offset' applies to order=best only"},
       }) {
    Reply reply = get(path(c.query));
    EXPECT_EQ(reply.status, 400) << c.query << ": " << reply.raw;
    EXPECT_THAT(reply.body.value("error", ""), HasSubstr(c.error)) << c.query;
  }
}

TEST_F(HttpBestTrialsTest, AnUnknownSweepIsNotFound) {
  Reply reply = get("/api/v1/sweeps/77/trials?order=best");
  EXPECT_EQ(reply.status, 404) << reply.raw;
  EXPECT_EQ(reply.body["error"], "sweep 77 does not exist");
}

TEST_F(HttpBestTrialsTest, TheSweepsBestValueIsTheStoresRanking) {
  add_ranked_trials();
  Reply reply = get("/api/v1/sweeps/" + std::to_string(sweep_.value));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["best"], json({{"value", 0.2}, {"trial", id(1)}, {"step", 0}}));
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
