// POST /api/v1/validate through a real client: what a sweep file would be told at submission,
// with nothing submitted.

#include <gmock/gmock.h>

#include "tests/orchestrator/http_api_fixture.h"

namespace labsweep::orchestrator::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

json validate_body(std::string spec) { return json{{"spec", std::move(spec)}}; }

TEST_F(HttpApiTest, ValidateAnswersAValidFileWithItsPlanAndSubmitsNothing) {
  json body = validate_body(std::string(kGridSpec));
  body["directory"] = "/home/ada/project";
  Reply reply = post("/api/v1/validate", body.dump());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body, json({{"valid", true}, {"diagnostics", json::array()}, {"trials", 6}}));
  EXPECT_TRUE(control_->submissions.empty());
  EXPECT_EQ(get("/api/v1/sweeps").body["sweeps"].size(), 0u);
}

TEST_F(HttpApiTest, ValidatePlacesEachErrorAtItsLineWithTheSubmissionsFileName) {
  json body = validate_body(
      "method: random\nprogram: /bin/train\nparameters:\n  lr:\n    min: 0.5\n    max: 0.1\n");
  body["file_name"] = "mine.yaml";
  Reply reply = post("/api/v1/validate", body.dump());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["valid"], false);
  EXPECT_EQ(reply.body["trials"], nullptr);
  ASSERT_EQ(reply.body["diagnostics"].size(), 1u) << reply.raw;
  json d = reply.body["diagnostics"][0];
  EXPECT_EQ(d["severity"], "error");
  EXPECT_EQ(d["parameter"], "lr");
  EXPECT_EQ(d["line"], 5);
  EXPECT_THAT(std::string(d["text"]), StartsWith("mine.yaml:5:"));
  EXPECT_TRUE(control_->submissions.empty());
}

TEST_F(HttpApiTest, ValidateSaysWhatSubmittingSaysOfTheSameFile) {
  const std::string spec =
      "method: grid\nprogram: /bin/train\nparameters:\n  x:\n    values: [1, 2]\n"
      "  y:\n    min: 0\n    max: 0.5\n";
  Reply validated = post("/api/v1/validate", validate_body(spec).dump());
  Reply submitted = post("/api/v1/sweeps", validate_body(spec).dump());
  ASSERT_EQ(validated.status, 200) << validated.raw;
  ASSERT_EQ(submitted.status, 400) << submitted.raw;
  EXPECT_EQ(validated.body["valid"], false);
  EXPECT_EQ(validated.body["diagnostics"], submitted.body["diagnostics"]);
}

TEST_F(HttpApiTest, ValidateKeepsWarningsOfAValidFileAndAnUnboundedPlanIsNull) {
  Reply reply =
      post("/api/v1/validate",
           validate_body("method: random\nprogram: /bin/train\nparameters:\n  y:\n    min: 0\n"
                         "    max: 0.5\n")
               .dump());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["valid"], true);
  EXPECT_EQ(reply.body["trials"], nullptr);
  ASSERT_EQ(reply.body["diagnostics"].size(), 1u);  // mixed int/float bounds
  EXPECT_EQ(reply.body["diagnostics"][0]["severity"], "warning");
  EXPECT_EQ(reply.body["diagnostics"][0]["line"], 4);
}

TEST_F(HttpApiTest, ValidateWarnsOfARelativeProgramOnlyWithoutADirectory) {
  json body = validate_body(std::string(kGridSpec));  // program: train.py
  Reply pasted = post("/api/v1/validate", body.dump());
  ASSERT_EQ(pasted.status, 200) << pasted.raw;
  EXPECT_EQ(pasted.body["valid"], true);
  ASSERT_EQ(pasted.body["diagnostics"].size(), 1u) << pasted.raw;
  json d = pasted.body["diagnostics"][0];
  EXPECT_EQ(d["severity"], "warning");
  EXPECT_EQ(d["line"], nullptr);
  EXPECT_THAT(std::string(d["message"]),
              StartsWith("program 'train.py' is a relative path and the submission names no "
                         "directory"));
  EXPECT_THAT(std::string(d["text"]), StartsWith("sweep.yaml: warning: program 'train.py'"));

  body["directory"] = "/home/ada/project";
  EXPECT_EQ(post("/api/v1/validate", body.dump()).body["diagnostics"], json::array());
}

TEST_F(HttpApiTest, ValidateRefusesMalformedBodiesAsSubmittingDoes) {
  struct Case {
    std::string body;
    std::string error;
  };
  const Case cases[] = {
      {"", "malformed JSON body: "},
      {"{", "malformed JSON body: "},
      {"[]", "the body must be a JSON object"},
      {"\"spec\"", "the body must be a JSON object"},
      {"{}", "missing field 'spec'"},
      {R"({"spec": 3})", "field 'spec' must be a string, not number"},
      {R"({"spec": null})", "field 'spec' must be a string, not null"},
      {R"({"spec": "a", "spec": "b"})", "field 'spec' is given more than once"},
      {R"({"spec": "a", "extra": 1})", "unknown field 'extra'"},
      {R"({"spec": "a", "directory": "rel/dir"})", "field 'directory' must be an absolute path"},
      {R"({"spec": "a", "file_name": ""})", "field 'file_name' must not be empty"},
      {R"({"spec": [[[[[[[[[["a"]]]]]]]]]]})", "the body nests deeper than 8 levels"},
  };
  for (const Case& c : cases) {
    Reply reply = post("/api/v1/validate", c.body);
    EXPECT_EQ(reply.status, 400) << c.body;
    EXPECT_THAT(std::string(reply.body.value("error", "")), StartsWith(c.error)) << c.body;
  }
  EXPECT_TRUE(control_->submissions.empty());
}

TEST_F(HttpApiTest, ValidateRefusesAFormAQueryAndAnotherMethod) {
  Reply form = post("/api/v1/validate", "spec=a", "application/x-www-form-urlencoded");
  EXPECT_EQ(form.status, 415);
  Reply query = post("/api/v1/validate?dry=1", validate_body("a").dump());
  EXPECT_EQ(query.status, 400);
  EXPECT_THAT(std::string(query.body["error"]), HasSubstr("dry"));
  Reply get_it = get("/api/v1/validate");
  EXPECT_EQ(get_it.status, 405);
  EXPECT_EQ(get_it.header("Allow"), "POST");
}

TEST_F(HttpApiTest, ValidateReadsAFileThatIsNotYamlAsOneError) {
  Reply reply = post("/api/v1/validate", validate_body("method: [grid\n  : :").dump());
  ASSERT_EQ(reply.status, 200) << reply.raw;
  EXPECT_EQ(reply.body["valid"], false);
  ASSERT_GE(reply.body["diagnostics"].size(), 1u);
  EXPECT_EQ(reply.body["diagnostics"][0]["severity"], "error");
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
