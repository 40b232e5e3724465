// `labsweep validate`, run as a user runs it: the real binary in a child process.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace labsweep {
namespace {

using labsweep::testing::built_binary;
using labsweep::testing::ProcessResult;
using labsweep::testing::run_process;
using labsweep::testing::TempDir;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kGrid =
    "method: grid\n"
    "program: train.py\n"
    "metric: {name: val_loss, goal: minimize}\n"
    "parameters:\n"
    "  lr: {values: [0.1, 0.01, 1.0e-5]}\n"
    "  batch_size: {values: [32, 64]}\n"
    "  epochs: {value: 10}\n";

ProcessResult validate(std::vector<std::string> args) {
  args.insert(args.begin(), {built_binary("labsweep"), "validate"});
  return run_process(args);
}

TEST(ValidateCommandTest, ValidGridAsText) {
  TempDir dir;
  std::string file = dir.write("sweep.yaml", kGrid);
  ProcessResult r = validate({file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(file + ": valid"));
  EXPECT_THAT(r.out, HasSubstr("method  grid"));
  EXPECT_THAT(r.out, HasSubstr("trials  6"));
  EXPECT_THAT(r.out, HasSubstr("lr          categorical   [0.1, 0.01, 1e-05]"));
  EXPECT_THAT(r.out, HasSubstr("first 5 trials:"));
  EXPECT_THAT(r.out,
              HasSubstr("/usr/bin/env python train.py --batch_size=32 --epochs=10 --lr=0.1"));
}

TEST(ValidateCommandTest, ArgumentsAreQuotedForDisplay) {
  TempDir dir;
  ProcessResult r = validate({dir.write("s.yaml",
                                        "method: grid\nprogram: t.py\nparameters:\n  opt:\n"
                                        "    parameters:\n      lr: {value: 0.1}\n  name: {value: "
                                        "a b}\n")});
  EXPECT_THAT(r.out, HasSubstr("t.py \"--name=a b\" \"--opt={'lr': 0.1}\"\n"));
  EXPECT_EQ(r.err, "");
}

TEST(ValidateCommandTest, ValidGridAsJson) {
  TempDir dir;
  ProcessResult r = validate({dir.write("sweep.yaml", kGrid), "--json", "--preview", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["method"], "grid");
  EXPECT_EQ(j["trials"], 6);
  EXPECT_EQ(j["warnings"], json::array());
  ASSERT_EQ(j["preview"].size(), 2u);
  EXPECT_EQ(j["preview"][0]["params"],
            json::parse(R"({"batch_size": 32, "epochs": 10, "lr": 0.1})"));
  EXPECT_EQ(j["preview"][1]["argv"],
            json::parse(R"(["/usr/bin/env", "python", "train.py", "--batch_size=32",
                            "--epochs=10", "--lr=0.01"])"));
}

TEST(ValidateCommandTest, UnboundedRandomSearch) {
  TempDir dir;
  std::string file = dir.write("s.yaml",
                               "method: random\nprogram: t.py\nlabsweep: {seed: 3}\nparameters:\n"
                               "  lr: {distribution: log_uniform_values, min: 1.0e-5, max: 0.1}\n");
  ProcessResult text = validate({file});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, HasSubstr("trials  unbounded"));
  json j = json::parse(validate({file, "--json"}).out);
  EXPECT_TRUE(j["trials"].is_null());
  EXPECT_EQ(j["seed"], 3);
  EXPECT_EQ(j["preview"].size(), 5u);
  EXPECT_EQ(json::parse(validate({file, "--json"}).out), j);  // the same seed, the same trials
}

TEST(ValidateCommandTest, ErrorsGoToStderrWithTheirPlace) {
  TempDir dir;
  std::string file = dir.write("bad.yaml",
                               "method: grid\nprogram: t.py\nparameters:\n  lr: {min: 0.5, max: "
                               "0.1}\n  bs: {values: []}\n");
  ProcessResult r = validate({file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, file +
                       ":5:16: error: parameter 'bs': values must be a non-empty list, not []\n" +
                       file + ":4:13: error: parameter 'lr': min 0.5 is not less than max 0.1\n");
}

TEST(ValidateCommandTest, ErrorsAsJson) {
  TempDir dir;
  std::string file = dir.write(
      "bad.yaml", "method: grid\nprogram: t.py\nparameters:\n  lr: {min: 0.5, max: 0.1}\n");
  ProcessResult r = validate({file, "--json"});
  EXPECT_EQ(r.exit_code, 2);
  json j = json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["errors"].size(), 1u);
  EXPECT_EQ(j["errors"][0],
            json::parse(R"({"message": "parameter 'lr': min 0.5 is not less than max 0.1",
                            "line": 4, "column": 13, "parameter": "lr"})"));
}

TEST(ValidateCommandTest, WarningsAreShownForValidFiles) {
  TempDir dir;
  std::string file =
      dir.write("w.yaml", "method: grid\nprogram: t.py\nparameters:\n  lr: {values: [1e-5]}\n");
  ProcessResult r = validate({file});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr(file + ":4:17: warning: '1e-5' is read as 1e-05, but PyYAML"));
  json j = json::parse(validate({file, "--json"}).out);
  EXPECT_EQ(j["warnings"].size(), 1u);
  EXPECT_EQ(j["warnings"][0]["line"], 4);
}

TEST(ValidateCommandTest, MissingFile) {
  ProcessResult r = validate({"/nonexistent.yaml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/nonexistent.yaml: error: Couldn't open sweep file: /nonexistent.yaml\n");
}

TEST(ValidateCommandTest, PreviewCount) {
  TempDir dir;
  json j = json::parse(validate({dir.write("s.yaml", kGrid), "--json", "--preview", "0"}).out);
  EXPECT_EQ(j["preview"].size(), 0u);
  EXPECT_NE(validate({dir.write("t.yaml", kGrid), "--preview", "-1"}).exit_code, 0);
}

TEST(ValidateCommandTest, EveryExampleIsValid) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator("examples")) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    ProcessResult r = validate({entry.path().string(), "--json"});
    EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.out << r.err;
  }
  EXPECT_GT(seen, 0);
}

}  // namespace
}  // namespace labsweep
