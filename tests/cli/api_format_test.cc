#include "cli/api_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/export_command.h"
#include "cli/list_command.h"
#include "cli/progress_line.h"
#include "cli/show_command.h"

namespace labsweep::cli {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(ApiFormatTest, MetricValues) {
  EXPECT_EQ(metric_text(json(0.123456789)), "0.123457");
  EXPECT_EQ(metric_text(json(1e-7)), "1e-07");
  EXPECT_EQ(metric_text(json(42)), "42");
  EXPECT_EQ(metric_text(json("NaN")), "NaN");
  EXPECT_EQ(metric_text(json("-Infinity")), "-Infinity");
  EXPECT_EQ(metric_text(json()), "-");
}

TEST(ApiFormatTest, Durations) {
  EXPECT_EQ(duration_text(json(), json(), 0), "-");
  EXPECT_EQ(duration_text(1000, 43'000, 0), "42s");
  EXPECT_EQ(duration_text(0, 252'000, 0), "4m12s");
  EXPECT_EQ(duration_text(0, 3'900'000, 0), "1h05m");
  EXPECT_EQ(duration_text(0, json(), 5'000), "5.0s") << "a running trial counts until now";
  EXPECT_EQ(duration_text(0, 640, 0), "0.6s");
  EXPECT_EQ(duration_text(5'000, 1'000, 0), "0.0s") << "clocks that disagree never go negative";
}

TEST(ApiFormatTest, ParamsFlattenNestedGroupsInKeyOrder) {
  json params = {{"optimizer", {{"name", "adam"}, {"beta1", 0.9}}}, {"lr", 0.01}, {"tag", "a b"}};
  EXPECT_EQ(params_text(params), "lr=0.01 optimizer.beta1=0.9 optimizer.name=adam tag=a b");
  EXPECT_EQ(params_text(json()), "");
  EXPECT_EQ(params_text(json{{"layers", {64, 32}}}), "layers=[64,32]");
}

json trial(int id, json metrics, json params = {{"lr", 0.1}}) {
  return {{"id", id},          {"status", "completed"}, {"attempts", 1},     {"agent", 1},
          {"gpus", {0, 1}},    {"exit_code", 0},        {"signal", nullptr}, {"stop_reason", ""},
          {"created_ms", 1},   {"started_ms", 2},       {"finished_ms", 3},  {"params", params},
          {"metrics", metrics}};
}

json summary(double last, double min, double max) {
  return {{"count", 3},
          {"last_step", 2},
          {"last_value", last},
          {"min", {{"value", min}, {"step", 1}}},
          {"max", {{"value", max}, {"step", 0}}}};
}

TEST(ExportTest, CsvHasAColumnPerParameterAndMetricSummary) {
  json trials = {trial(1, {{"loss", summary(0.5, 0.4, 0.9)}}),
                 trial(2, {{"acc", summary(0.8, 0.1, 0.8)}},
                       {{"lr", 0.2}, {"note", "has, comma \"and\" quote"}})};
  std::string csv = trials_csv(trials);
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = csv.find("\r\n", start)) != std::string::npos;
       start = end + 2) {
    lines.push_back(csv.substr(start, end - start));
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0],
            "trial,status,attempts,agent,gpus,exit_code,signal,stop_reason,created_ms,"
            "started_ms,finished_ms,param.lr,param.note,acc.last_step,acc.last_value,acc.min,"
            "acc.max,loss.last_step,loss.last_value,loss.min,loss.max");
  EXPECT_EQ(lines[1], "1,completed,1,1,0 1,0,,,1,2,3,0.1,,,,,,2,0.5,0.4,0.9");
  EXPECT_EQ(lines[2],
            "2,completed,1,1,0 1,0,,,1,2,3,0.2,\"has, comma \"\"and\"\" quote\",2,0.8,0.1,0.8,,,,");
}

json sweep(const char* goal) {
  return {{"id", 3},
          {"state", "running"},
          {"metric", {{"name", "loss"}, {"goal", goal}}},
          {"planned_trials", 10},
          {"best", {{"value", 0.25}, {"trial", 7}, {"step", 4}}},
          {"counts",
           {{"pending", 1},
            {"running", 2},
            {"completed", 3},
            {"failed", 1},
            {"stopped", 0},
            {"lost", 0},
            {"total", 7}}}};
}

TEST(ShowTest, TrialsTableShowsOutcomeAndMetric) {
  json failed = trial(5, {{"loss", summary(0.5, 0.4, 0.9)}});
  failed["status"] = "failed";
  failed["exit_code"] = 3;
  failed["agent"] = 2;
  std::string table = trials_table(sweep("minimize"), json::array({failed}), 0, {{2, "gpu-07"}});
  EXPECT_THAT(table, HasSubstr("failed (exit 3)"));
  EXPECT_THAT(table, HasSubstr("gpu-07"));
  // An agent the names do not know is shown by its id.
  EXPECT_THAT(trials_table(sweep("minimize"), json::array({failed}), 0), HasSubstr("  2  "));
  EXPECT_THAT(table, HasSubstr("lr=0.1"));
  EXPECT_THAT(table, HasSubstr("0.4"));
}

TEST(ProgressLineTest, CountsAndBest) {
  EXPECT_EQ(progress_line(sweep("minimize"), 65'000),
            "[1m05s] trials 4/10 (3 completed, 1 failed, 0 stopped), 2 running, 1 pending; best "
            "loss 0.25 (trial 7)");
  json unbounded = sweep("minimize");
  unbounded["planned_trials"] = nullptr;
  unbounded["best"] = nullptr;
  EXPECT_THAT(progress_line(unbounded, 0), HasSubstr("trials 4/7+"));
  EXPECT_EQ(best_text(unbounded), "-");
}

}  // namespace
}  // namespace labsweep::cli
