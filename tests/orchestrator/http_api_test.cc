// The endpoints of docs/http-api.md through a real client: what each returns, paging, errors.

#include <gmock/gmock.h>

#include <limits>
#include <thread>

#include "orchestrator/json_views.h"
#include "store/trial_status.h"
#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::ElementsAre;

TEST_F(HttpApiTest, HealthAnswersOkAsJsonThatIsNotCached) {
  Reply reply = get("/api/v1/health");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, json({{"status", "ok"}}));
  EXPECT_EQ(reply.header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(reply.header("Cache-Control"), "no-store");
}

TEST_F(HttpApiTest, ListsSweepsWithCountsMetricBestValueAndPlan) {
  store::SweepId sweep = add_sweep();
  store::TrialId a = add_trial(sweep, 0);
  store::TrialId b = add_trial(sweep, 1);
  add_trial(sweep, 2);
  write(store::FinishTrial{.trial = a, .status = store::TrialStatus::kFailed, .finished_ms = 9});
  add_points(a, "loss", {{0, 0.9}, {1, 0.5}, {2, 0.7}});
  add_points(b, "loss", {{0, 0.8}, {1, 0.4}, {2, std::nan("")}});
  add_points(b, "acc", {{0, 0.1}});  // another metric: never the objective

  Reply reply = get("/api/v1/sweeps");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body["sweeps"].size(), 1u);
  json s = reply.body["sweeps"][0];
  EXPECT_EQ(s["id"], sweep.value);
  EXPECT_EQ(s["name"], "grid");
  EXPECT_EQ(s["method"], "grid");
  EXPECT_EQ(s["state"], "running");
  EXPECT_EQ(s["seed"], 7);
  EXPECT_EQ(s["created_ms"], 1000);
  EXPECT_EQ(s["finished_ms"], nullptr);
  EXPECT_EQ(s["counts"], json({{"pending", 2},
                               {"running", 0},
                               {"completed", 0},
                               {"failed", 1},
                               {"stopped", 0},
                               {"lost", 0},
                               {"total", 3}}));
  EXPECT_EQ(s["metric"], json({{"name", "loss"}, {"goal", "minimize"}}));
  EXPECT_EQ(s["best"], json({{"value", 0.4}, {"trial", b.value}, {"step", 1}}));
  EXPECT_EQ(s["planned_trials"], 6);
  EXPECT_FALSE(s.contains("spec"));
}

TEST_F(HttpApiTest, BestValueOfAMaximisingSweepIsTheHighestAndNullBeforeAnyValue) {
  std::string spec(kGridSpec);
  spec.replace(spec.find("minimize"), 8, "maximize");
  store::SweepId sweep = add_sweep(spec);
  EXPECT_EQ(get("/api/v1/sweeps/" + std::to_string(sweep.value)).body["best"], nullptr);
  store::TrialId a = add_trial(sweep, 0);
  add_points(a, "loss", {{0, std::nan("")}});
  EXPECT_EQ(get("/api/v1/sweeps/" + std::to_string(sweep.value)).body["best"], nullptr);
  add_points(a, "loss", {{1, 0.3}, {2, 0.6}, {3, 0.6}});
  EXPECT_EQ(get("/api/v1/sweeps/" + std::to_string(sweep.value)).body["best"],
            json({{"value", 0.6}, {"trial", a.value}, {"step", 2}}));
}

TEST_F(HttpApiTest, SweepWithoutMetricOrUnboundedPlanHasNulls) {
  store::SweepId sweep = add_sweep(
      "method: random\nprogram: train.py\nparameters:\n  lr:\n    min: 0.0\n    max: 1.0\n");
  Reply reply = get("/api/v1/sweeps/" + std::to_string(sweep.value));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["metric"], nullptr);
  EXPECT_EQ(reply.body["best"], nullptr);
  EXPECT_EQ(reply.body["planned_trials"], nullptr);
}

TEST_F(HttpApiTest, GetsOneSweepWithItsSpecAndRefusesUnknownOnes) {
  store::SweepId sweep = add_sweep();
  Reply reply = get("/api/v1/sweeps/" + std::to_string(sweep.value));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["spec"], std::string(kGridSpec));
  EXPECT_EQ(reply.body["planned_trials"], 6);

  Reply missing = get("/api/v1/sweeps/999");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, json({{"error", "sweep 999 does not exist"}}));
}

TEST_F(HttpApiTest, SubmitsASweepAndAnswersWithItsIdAndWarnings) {
  json body = {{"spec",
                "method: grid\nprogram: train.py\nparameters:\n  x:\n    values: [1, 2]\n"
                "  y:\n    min: 0\n    max: 0.5\n"},
               {"file_name", "mine.yaml"},
               {"name", "first"}};
  Reply reply = post("/api/v1/sweeps", body.dump());
  ASSERT_EQ(reply.status, 400) << reply.raw;  // grid cannot enumerate a continuous y

  body["spec"] = "method: random\nprogram: train.py\nparameters:\n  y:\n    min: 0\n    max: 0.5\n";
  reply = post("/api/v1/sweeps", body.dump());
  ASSERT_EQ(reply.status, 201) << reply.raw;
  int64_t id = reply.body["id"];
  EXPECT_EQ(reply.header("Location"), "/api/v1/sweeps/" + std::to_string(id));
  ASSERT_EQ(reply.body["warnings"].size(), 1u);  // mixed int/float bounds
  json warning = reply.body["warnings"][0];
  EXPECT_EQ(warning["severity"], "warning");
  EXPECT_EQ(warning["parameter"], "y");
  EXPECT_EQ(warning["line"], 4);
  EXPECT_THAT(std::string(warning["text"]), ::testing::StartsWith("mine.yaml:4:"));

  ASSERT_EQ(control_->submissions.size(), 2u);
  EXPECT_EQ(control_->submissions[1].file_name, "mine.yaml");
  EXPECT_EQ(control_->submissions[1].name, "first");
  EXPECT_EQ(get("/api/v1/sweeps/" + std::to_string(id)).body["name"], "first");
}

TEST_F(HttpApiTest, SubmissionCarriesTheDirectoryOfARelativeProgram) {
  json body = {{"spec", "method: grid\nprogram: train.py\nparameters:\n  x: {values: [1]}\n"},
               {"directory", "/home/ada/project"}};
  Reply created = post("/api/v1/sweeps", body.dump());
  ASSERT_EQ(created.status, 201) << created.raw;
  ASSERT_EQ(control_->submissions.size(), 1u);
  EXPECT_EQ(control_->submissions[0].directory, "/home/ada/project");
  body["directory"] = "project";
  Reply relative = post("/api/v1/sweeps", body.dump());
  EXPECT_EQ(relative.status, 400);
  EXPECT_EQ(relative.body["error"], "field 'directory' must be an absolute path");
  EXPECT_EQ(control_->submissions.size(), 1u);
}

TEST_F(HttpApiTest, RefusedSweepFileComesBackWithItsDiagnostics) {
  Reply reply = post(
      "/api/v1/sweeps",
      json({{"spec", "method: grid\nparameters:\n  lr:\n    min: 1.0\n    max: 0.5\n"}}).dump());
  ASSERT_EQ(reply.status, 400) << reply.raw;
  EXPECT_EQ(reply.body["error"], "sweep file has errors");
  ASSERT_FALSE(reply.body["diagnostics"].empty());
  json first = reply.body["diagnostics"][0];
  EXPECT_EQ(first["severity"], "error");
  EXPECT_TRUE(first["line"].is_number());
  EXPECT_TRUE(first["column"].is_number());
  EXPECT_THAT(std::string(first["text"]), ::testing::StartsWith("sweep.yaml:"));
  EXPECT_EQ(control_->submissions.at(0).name, std::nullopt);
  EXPECT_EQ(get("/api/v1/sweeps").body["sweeps"].size(), 0u);
}

TEST_F(HttpApiTest, ListsTrialsWithParamsOutcomeAndSummaries) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 0, R"({"lr": 0.1, "opt": {"name": "adam"}})");
  store::AgentId agent = write(store::RecordAgent{.name = "node-1", .host = "h", .seen_ms = 1});
  write(store::StartTrial{.trial = t, .agent = agent, .gpus = {0, 3}, .started_ms = 3000});
  write(store::FinishTrial{.trial = t,
                           .status = store::TrialStatus::kFailed,
                           .exit_code = 2,
                           .stderr_tail = "Traceback\nboom\xff",
                           .stop_reason = "",
                           .finished_ms = 4000});
  add_points(t, "loss", {{0, 1.5}, {1, -std::numeric_limits<double>::infinity()}});
  add_points(t, "nan_only", {{0, std::nan("")}, {3, std::nan("")}});

  Reply reply = get("/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body["trials"].size(), 1u);
  EXPECT_EQ(reply.body["next_after"], nullptr);
  json trial = reply.body["trials"][0];
  EXPECT_EQ(trial["id"], t.value);
  EXPECT_EQ(trial["sweep"], sweep.value);
  EXPECT_EQ(trial["suggestion_index"], 0);
  EXPECT_EQ(trial["params"], json::parse(R"({"lr": 0.1, "opt": {"name": "adam"}})"));
  EXPECT_EQ(trial["status"], "failed");
  EXPECT_EQ(trial["agent"], agent.value);
  EXPECT_EQ(trial["gpus"], json({0, 3}));
  EXPECT_EQ(trial["attempts"], 1);
  EXPECT_EQ(trial["exit_code"], 2);
  EXPECT_EQ(trial["signal"], nullptr);
  EXPECT_EQ(trial["stderr_tail"], "Traceback\nboom\xEF\xBF\xBD");  // the bad byte as U+FFFD
  EXPECT_EQ(trial["created_ms"], 2000);
  EXPECT_EQ(trial["started_ms"], 3000);
  EXPECT_EQ(trial["finished_ms"], 4000);
  EXPECT_EQ(trial["metrics"]["loss"], json({{"count", 2},
                                            {"last_step", 1},
                                            {"last_value", "-Infinity"},
                                            {"min", {{"value", "-Infinity"}, {"step", 1}}},
                                            {"max", {{"value", 1.5}, {"step", 0}}}}));
  EXPECT_EQ(trial["metrics"]["nan_only"], json({{"count", 2},
                                                {"last_step", 3},
                                                {"last_value", "NaN"},
                                                {"min", nullptr},
                                                {"max", nullptr}}));
}

TEST_F(HttpApiTest, ParamsThatAreNotStrictJsonComeBackAsText) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 0, R"({"lr": NaN})");
  Reply reply = get("/api/v1/trials/" + std::to_string(t.value));
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["params"], nullptr);
  EXPECT_EQ(reply.body["params_text"], R"({"lr": NaN})");
}

TEST_F(HttpApiTest, AListOfTrialsCanBeCutToTheFieldsAsked) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 0, R"({"lr": 0.1})");
  store::TrialId odd = add_trial(sweep, 1, R"({"lr": NaN})");
  add_points(t, "loss", {{0, 1.5}});
  const std::string base = "/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials";

  Reply cut = get(base + "?fields=id,params,metrics");
  ASSERT_EQ(cut.status, 200) << cut.raw;
  ASSERT_EQ(cut.body["trials"].size(), 2u);
  EXPECT_EQ(cut.body["trials"][0], json({{"id", t.value},
                                         {"params", {{"lr", 0.1}}},
                                         {"metrics", get(base).body["trials"][0]["metrics"]}}));
  // `params` brings `params_text` along where the stored parameters are not JSON.
  EXPECT_EQ(cut.body["trials"][1], json({{"id", odd.value},
                                         {"params", nullptr},
                                         {"params_text", R"({"lr": NaN})"},
                                         {"metrics", json::object()}}));
  // Any order, a name twice, and order=best alike.
  Reply best = get(base + "?order=best&fields=status,id,status");
  ASSERT_EQ(best.status, 200) << best.raw;
  EXPECT_EQ(best.body["trials"][0], json({{"id", t.value}, {"status", "pending"}}));
  EXPECT_EQ(best.body["next_offset"], nullptr);
  // Every field by name is the whole object.
  std::string every;
  for (std::string_view field : kTrialFields)
    every += (every.empty() ? "" : ",") + std::string(field);
  EXPECT_EQ(get(base + "?fields=" + every).body, get(base).body);
}

TEST_F(HttpApiTest, PagesTrialsWithACursorAndFiltersByStatus) {
  store::SweepId sweep = add_sweep();
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(add_trial(sweep, i).value);
  write(
      store::FinishTrial{.trial = store::TrialId{ids[1]}, .status = store::TrialStatus::kStopped});
  write(
      store::FinishTrial{.trial = store::TrialId{ids[4]}, .status = store::TrialStatus::kStopped});
  const std::string base = "/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials";
  auto ids_of = [](const Reply& r) {
    std::vector<int64_t> out;
    for (const json& t : r.body["trials"]) out.push_back(t["id"]);
    return out;
  };

  Reply first = get(base + "?limit=2");
  EXPECT_THAT(ids_of(first), ElementsAre(ids[0], ids[1]));
  EXPECT_EQ(first.body["next_after"], ids[1]);
  Reply second = get(base + "?limit=2&after=" + std::to_string(ids[1]));
  EXPECT_THAT(ids_of(second), ElementsAre(ids[2], ids[3]));
  EXPECT_EQ(second.body["next_after"], ids[3]);
  Reply last = get(base + "?limit=2&after=" + std::to_string(ids[3]));
  EXPECT_THAT(ids_of(last), ElementsAre(ids[4]));
  EXPECT_EQ(last.body["next_after"], nullptr);

  Reply stopped = get(base + "?status=stopped");
  EXPECT_THAT(ids_of(stopped), ElementsAre(ids[1], ids[4]));
  Reply exactly_two = get(base + "?status=stopped&limit=2");
  EXPECT_EQ(exactly_two.body["next_after"], nullptr);  // a full last page says it is the last
}

TEST_F(HttpApiTest, TrialListRefusesBadQueries) {
  store::SweepId sweep = add_sweep();
  const std::string base = "/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials";
  struct Case {
    std::string query;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"?status=done", "query parameter 'status': unknown trial status 'done'"},
           {"?status=Running", "query parameter 'status': unknown trial status 'Running'"},
           {"?limit=0", "query parameter 'limit' must be an integer from 1 to 10000, not '0'"},
           {"?limit=10001",
            "query parameter 'limit' must be an integer from 1 to 10000, not '10001'"},
           {"?limit=ten", "query parameter 'limit' must be an integer from 1 to 10000, not 'ten'"},
           {"?after=-1",
            "query parameter 'after' must be an integer from 0 to 9223372036854775807, not '-1'"},
           {"?after=99999999999999999999",
            "query parameter 'after' must be an integer from 0 to 9223372036854775807, not "
            "'99999999999999999999'"},
           {"?state=running", "unknown query parameter 'state'"},
           {"?limit=1&limit=2", "query parameter 'limit' is given more than once"},
           {"?fields=", "query parameter 'fields': an empty field name at character 1"},
           {"?fields=id,,status", "query parameter 'fields': an empty field name at character 4"},
           {"?fields=id,", "query parameter 'fields': an empty field name at character 4"},
           {"?fields=id,command",
            "query parameter 'fields': unknown field 'command' (a trial has id, sweep, "
            "suggestion_index, params, status, agent, gpus, attempts, exit_code, signal, "
            "stderr_tail, stop_reason, created_ms, started_ms, finished_ms, metrics)"},
           {"?fields=ID",
            "query parameter 'fields': unknown field 'ID' (a trial has id, sweep, "
            "suggestion_index, params, status, agent, gpus, attempts, exit_code, "
            "signal, stderr_tail, stop_reason, created_ms, started_ms, "
            "finished_ms, metrics)"},
       }) {
    Reply reply = get(base + c.query);
    EXPECT_EQ(reply.status, 400) << c.query;
    EXPECT_EQ(reply.body["error"], c.error) << c.query;
  }
  EXPECT_EQ(get("/api/v1/sweeps/77/trials").status, 404);
}

TEST_F(HttpApiTest, MalformedPathIdsAreRefused) {
  for (std::string id : {"1abc", "-1", "0", "017", "+1", "1.0", "9223372036854775808",
                         "99999999999999999999999", "0x10", "%201"}) {
    for (std::string path : {"/api/v1/sweeps/" + id, "/api/v1/sweeps/" + id + "/trials",
                             "/api/v1/trials/" + id, "/api/v1/trials/" + id + "/metrics/loss"}) {
      Reply reply = get(path);
      EXPECT_EQ(reply.status, 400) << path;
      EXPECT_THAT(std::string(reply.body.value("error", "")),
                  ::testing::HasSubstr("expected a positive decimal integer"))
          << path;
    }
  }
  EXPECT_EQ(get("/api/v1/sweeps/9223372036854775807").status, 404);  // the largest id is fine
}

TEST_F(HttpApiTest, GetsOneTrialOr404) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 4, R"({"x": 1})");
  Reply reply = get("/api/v1/trials/" + std::to_string(t.value));
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body["suggestion_index"], 4);
  EXPECT_EQ(reply.body["status"], "pending");
  EXPECT_EQ(reply.body["agent"], nullptr);
  EXPECT_EQ(reply.body["gpus"], json::array());
  EXPECT_EQ(reply.body["metrics"], json::object());
  Reply missing = get("/api/v1/trials/5000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"], "trial 5000 does not exist");
}

TEST_F(HttpApiTest, StopsAndResumesThroughTheControl) {
  EXPECT_EQ(post("/api/v1/sweeps/3/stop", "").body, json({{"id", 3}, {"action", "stop"}}));
  EXPECT_EQ(post("/api/v1/sweeps/4/resume", "{}").body, json({{"id", 4}, {"action", "resume"}}));
  EXPECT_EQ(post("/api/v1/trials/5/stop", " ").body, json({{"id", 5}, {"action", "stop"}}));
  EXPECT_THAT(control_->stopped_sweeps, ElementsAre(3));
  EXPECT_THAT(control_->resumed_sweeps, ElementsAre(4));
  EXPECT_THAT(control_->stopped_trials, ElementsAre(5));
}

TEST_F(HttpApiTest, ControlErrorsMapToStatusCodes) {
  control_->answer = {StatusCode::kFailedPrecondition, "sweep 4 is completed"};
  Reply conflict = post("/api/v1/sweeps/4/resume", "");
  EXPECT_EQ(conflict.status, 409);
  EXPECT_EQ(conflict.body, json({{"error", "sweep 4 is completed"}}));
  control_->answer = not_found("trial 8 does not exist");
  EXPECT_EQ(post("/api/v1/trials/8/stop", "").status, 404);
  control_->answer = io_error("disk full");
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "").status, 500);
  control_->answer = invalid_argument("no");
  EXPECT_EQ(post("/api/v1/sweeps/1/stop", "").status, 400);
}

TEST_F(HttpApiTest, ActionsRefuseBodiesWithFieldsAndBadIds) {
  Reply fields = post("/api/v1/sweeps/3/stop", R"({"force": true})");
  EXPECT_EQ(fields.status, 400);
  EXPECT_EQ(fields.body["error"], "unknown field 'force'");
  EXPECT_EQ(post("/api/v1/sweeps/3/stop", "[]").status, 400);
  EXPECT_EQ(post("/api/v1/sweeps/3/stop", "{").status, 400);
  EXPECT_EQ(post("/api/v1/sweeps/x/stop", "").status, 400);
  EXPECT_EQ(post("/api/v1/trials/0/stop", "").status, 400);
  EXPECT_EQ(post("/api/v1/sweeps/3/stop?now=1", "").status, 400);
  EXPECT_TRUE(control_->stopped_sweeps.empty());
  EXPECT_TRUE(control_->stopped_trials.empty());
}

TEST_F(HttpApiTest, MetricSeriesComesInStepOrderWithNonFiniteValuesAsStrings) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 0);
  add_points(t, "loss", {{2, 0.5}, {0, 1.0}, {1, std::nan("")}, {3, HUGE_VAL}});
  const std::string base = "/api/v1/trials/" + std::to_string(t.value) + "/metrics/";

  Reply reply = get(base + "loss");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body,
            json({{"trial", t.value},
                  {"key", "loss"},
                  {"points",
                   {{0, 1.0, 5000}, {1, "NaN", 5001}, {2, 0.5, 5002}, {3, "Infinity", 5003}}}}));
  EXPECT_EQ(get(base + "loss?from_step=2").body["points"],
            json({{2, 0.5, 5002}, {3, "Infinity", 5003}}));
  EXPECT_EQ(get(base + "never").body["points"], json::array());
  EXPECT_EQ(get(base + "loss?from_step=x").status, 400);
  EXPECT_EQ(get(base + "loss?from=1").status, 400);
  EXPECT_EQ(get("/api/v1/trials/999/metrics/loss").status, 404);
}

TEST_F(HttpApiTest, MetricKeysMayHoldSlashesWrittenPlainOrEncoded) {
  store::SweepId sweep = add_sweep();
  store::TrialId t = add_trial(sweep, 0);
  add_points(t, "train/loss", {{0, 0.25}});
  add_points(t, "a b", {{0, 0.5}});
  const std::string base = "/api/v1/trials/" + std::to_string(t.value) + "/metrics/";
  EXPECT_EQ(get(base + "train/loss").body["points"], json({{0, 0.25, 5000}}));
  EXPECT_EQ(get(base + "train%2Floss").body["points"], json({{0, 0.25, 5000}}));
  EXPECT_EQ(get(base + "train%2Floss").body["key"], "train/loss");
  EXPECT_EQ(get(base + "a%20b").body["points"], json({{0, 0.5, 5000}}));
}

TEST_F(HttpApiTest, ManyTrialsMetricsComeInTheOrderAsked) {
  store::SweepId sweep = add_sweep();
  store::TrialId a = add_trial(sweep, 0);
  store::TrialId b = add_trial(sweep, 1);
  add_points(a, "loss", {{0, 1.0}, {1, 0.5}});
  std::string ids = std::to_string(b.value) + "," + std::to_string(a.value);
  Reply reply = get("/api/v1/metrics?trials=" + ids + "&key=loss&from_step=1");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body, json({{"key", "loss"},
                              {"series",
                               {{{"trial", b.value}, {"points", json::array()}},
                                {{"trial", a.value}, {"points", {{1, 0.5, 5001}}}}}}}));
}

TEST_F(HttpApiTest, ManyTrialsMetricsRefusesBadLists) {
  store::SweepId sweep = add_sweep();
  store::TrialId a = add_trial(sweep, 0);
  const std::string id = std::to_string(a.value);
  struct Case {
    std::string query;
    int status;
    std::string error;
  };
  std::string too_many;
  for (int i = 1; i <= 1001; ++i) too_many += (i > 1 ? "," : "") + std::to_string(i);
  for (const Case& c : std::vector<Case>{
           {"key=loss", 400, "missing query parameter 'trials'"},
           {"trials=" + id, 400, "missing query parameter 'key'"},
           {"trials=" + id + "&key=", 400, "missing query parameter 'key'"},
           {"trials=&key=loss", 400, "query parameter 'trials': invalid trial id ''"},
           {"trials=" + id + ",&key=loss", 400, "query parameter 'trials': invalid trial id ''"},
           {"trials=" + id + ",x&key=loss", 400, "query parameter 'trials': invalid trial id 'x'"},
           {"trials=" + id + "," + id + "&key=loss", 400,
            "query parameter 'trials': trial " + id + " is listed twice"},
           {"trials=" + too_many + "&key=loss", 400,
            "query parameter 'trials': at most 1000 trials per request"},
           {"trials=" + id + ",4242&key=loss", 404, "trial 4242 does not exist"},
       }) {
    Reply reply = get("/api/v1/metrics?" + c.query);
    EXPECT_EQ(reply.status, c.status) << c.query;
    EXPECT_EQ(reply.body["error"], c.error) << c.query;
  }
}

TEST_F(HttpApiTest, AgentsAreTheLiveOnesThenThoseOnlyTheStoreRemembers) {
  store::AgentId kept = write(store::RecordAgent{.name = "alpha", .host = "a.lab", .seen_ms = 10});
  write(store::SetAgentState{.agent = kept, .state = store::AgentState::kLost});
  write(store::RecordAgent{.name = "live-1", .host = "l.lab", .seen_ms = 20});
  LiveAgent live{.id = store::AgentId{2},
                 .name = "live-1",
                 .host = "l.lab",
                 .gpus = {LiveGpu{.index = 0,
                                  .name = "H100",
                                  .memory_total_mb = 80000,
                                  .trials = {store::TrialId{12}}},
                          LiveGpu{.index = 1,
                                  .name = "H100",
                                  .memory_total_mb = 80000,
                                  .memory_used_by_others_mb = 30000,
                                  .used_by_others = true}},
                 .slots_total = 2,
                 .slots_used = 1,
                 .running_trials = {store::TrialId{12}},
                 .last_heartbeat_ms = 99};
  control_->live_agents = {live};

  Reply reply = get("/api/v1/agents");
  ASSERT_EQ(reply.status, 200) << reply.raw;
  ASSERT_EQ(reply.body["agents"].size(), 2u);
  json first = reply.body["agents"][0];
  EXPECT_EQ(first["name"], "live-1");
  EXPECT_EQ(first["live"], true);
  EXPECT_EQ(first["state"], "online");
  EXPECT_EQ(first["last_heartbeat_ms"], 99);
  EXPECT_EQ(first["slots_total"], 2);
  EXPECT_EQ(first["slots_used"], 1);
  EXPECT_EQ(first["running_trials"], json({12}));
  EXPECT_EQ(first["gpus"][0], json({{"index", 0},
                                    {"name", "H100"},
                                    {"memory_total_mb", 80000},
                                    {"memory_used_by_others_mb", 0},
                                    {"used_by_others", false},
                                    {"memory_used_mb", nullptr},
                                    {"utilization_percent", nullptr},
                                    {"free", false},
                                    {"trials", {12}}}));
  EXPECT_EQ(first["gpus"][1]["used_by_others"], true);
  json second = reply.body["agents"][1];
  EXPECT_EQ(second["id"], kept.value);
  EXPECT_EQ(second["name"], "alpha");
  EXPECT_EQ(second["live"], false);
  EXPECT_EQ(second["state"], "lost");
  EXPECT_EQ(second["last_heartbeat_ms"], 10);
  EXPECT_EQ(second["gpus"], json::array());
}

TEST_F(HttpApiTest, EventsComeAfterACursorAndCanBeFilteredBySweep) {
  store::SweepId one = add_sweep();
  store::SweepId two = add_sweep();
  store::TrialId t = add_trial(one, 0);
  std::vector<int64_t> ids;
  ids.push_back(write(store::AddEvent{.time_ms = 1, .sweep = one, .kind = "sweep_created"}).value);
  ids.push_back(write(store::AddEvent{.time_ms = 2, .sweep = two, .kind = "sweep_created"}).value);
  ids.push_back(write(store::AddEvent{.time_ms = 3,
                                      .sweep = one,
                                      .trial = t,
                                      .kind = "trial_added",
                                      .message = "trial added"})
                    .value);

  Reply all = get("/api/v1/events");
  ASSERT_EQ(all.status, 200) << all.raw;
  ASSERT_EQ(all.body["events"].size(), 3u);
  EXPECT_EQ(all.body["events"][2], json({{"id", ids[2]},
                                         {"time_ms", 3},
                                         {"sweep", one.value},
                                         {"trial", t.value},
                                         {"agent", nullptr},
                                         {"kind", "trial_added"},
                                         {"message", "trial added"}}));
  EXPECT_EQ(all.body["next_after"], ids[2]);

  Reply page = get("/api/v1/events?limit=1&after=" + std::to_string(ids[0]));
  ASSERT_EQ(page.body["events"].size(), 1u);
  EXPECT_EQ(page.body["events"][0]["id"], ids[1]);
  EXPECT_EQ(page.body["next_after"], ids[1]);

  Reply of_one = get("/api/v1/events?sweep=" + std::to_string(one.value));
  ASSERT_EQ(of_one.body["events"].size(), 2u);
  EXPECT_EQ(of_one.body["events"][1]["id"], ids[2]);

  Reply none = get("/api/v1/events?after=" + std::to_string(ids[2]));
  EXPECT_EQ(none.body["events"], json::array());
  EXPECT_EQ(none.body["next_after"], ids[2]);  // the cursor stays where it was
  EXPECT_EQ(get("/api/v1/events?sweep=0").status, 400);
  EXPECT_EQ(get("/api/v1/events?limit=0").status, 400);
}

TEST_F(HttpApiTest, UnknownPathsAre404AndWrongMethods405WithAllow) {
  Reply unknown = get("/api/v1/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error"], "no such path: /api/v1/nothing");
  EXPECT_EQ(get("/nothing").status, 404);  // "/" is the dashboard (http_dashboard_test.cc)
  EXPECT_EQ(get("/api/v1/sweeps/").status, 404);
  EXPECT_EQ(get("/api/v2/sweeps").status, 404);
  EXPECT_EQ(get("/api/v1//sweeps").status, 404);
  EXPECT_EQ(get("/api/v1/sweeps/../../etc/passwd").status, 404);

  Reply wrong = reply_of(client_->Delete("/api/v1/sweeps"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "GET, POST");
  EXPECT_EQ(wrong.body["error"], "method DELETE is not allowed here");
  Reply get_stop = get("/api/v1/sweeps/1/stop");
  EXPECT_EQ(get_stop.status, 405);
  EXPECT_EQ(get_stop.header("Allow"), "POST");
  EXPECT_EQ(reply_of(client_->Put("/api/v1/health", "{}", "application/json")).status, 405);
}

TEST_F(HttpApiTest, ServesRequestsFromManyThreadsAtOnce) {
  store::SweepId sweep = add_sweep();
  for (int i = 0; i < 20; ++i) add_trial(sweep, i);
  const std::string path = "/api/v1/sweeps/" + std::to_string(sweep.value) + "/trials";
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client client("127.0.0.1", port_);
      for (int i = 0; i < 10; ++i) {
        auto result = client.Get(path.c_str());
        if (result && result->status == 200 && json::parse(result->body)["trials"].size() == 20u) {
          ++ok[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(ok, ::testing::Each(10));
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
