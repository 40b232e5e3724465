// Which requests the token gate admits (orchestrator/api_token_gate.h): the Authorization
// header's forms, a real api_tokens file, its reloading, and the files it refuses to start with.

#include "orchestrator/api_token_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "orchestrator/api_tokens.h"
#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::HasSubstr;
using Verdict = ApiTokenGate::Verdict;

class ApiTokenGateTest : public ::testing::Test {
 protected:
  // Writes the file as `labsweep tokens` does: whole, mode 0600, renamed into place.
  void write_tokens(const std::vector<std::pair<std::string, std::string>>& name_and_token) {
    ApiTokens tokens;
    for (const auto& [name, token] : name_and_token)
      ASSERT_TRUE(tokens.add({.name = name, .digest = api_token_digest(token)}).is_ok());
    ASSERT_TRUE(tokens.write(file()).is_ok());
  }
  // Writes `text` in place, as an editor might.
  void edit(const std::string& text) {
    std::ofstream(file(), std::ios::trunc) << text;
    ASSERT_EQ(::chmod(file().c_str(), 0600), 0);
  }
  std::unique_ptr<ApiTokenGate> open_gate() {
    auto gate = ApiTokenGate::open(file());
    EXPECT_TRUE(gate.is_ok()) << gate.status().message();
    return gate.is_ok() ? std::move(*gate) : nullptr;
  }
  std::filesystem::path file() const { return dir_.path() / "api_tokens"; }

  labsweep::testing::TempDir dir_;
};

TEST_F(ApiTokenGateTest, AdmitsAListedBearerTokenOnly) {
  write_tokens({{"alice", "lst_alice"}, {"bob", "lst_bob"}});
  auto gate = open_gate();
  ASSERT_NE(gate, nullptr);
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kValid);
  EXPECT_EQ(gate->check("Bearer lst_bob"), Verdict::kValid);
  EXPECT_EQ(gate->check("bearer lst_alice"), Verdict::kValid);  // the scheme in any case
  EXPECT_EQ(gate->check("BEARER   lst_alice  "), Verdict::kValid);
  EXPECT_EQ(gate->check(std::nullopt), Verdict::kMissing);
  for (std::string_view wrong : {"Bearer lst_carol", "Bearer lst_alicE", "Bearer lst_alice2",
                                 "Bearer lst_alice lst_bob", "Bearer alice"})
    EXPECT_EQ(gate->check(wrong), Verdict::kRefused) << wrong;
  for (std::string_view malformed :
       {"", "Bearer", "Bearer ", "Bearer    ", "lst_alice",
        "Basic bHN0X2FsaWNlOg==", "Bearerlst_alice", "Token lst_alice", "Bearer\tlst_alice"})
    EXPECT_EQ(gate->check(malformed), Verdict::kMalformed) << malformed;
}

TEST_F(ApiTokenGateTest, RefusesToOpenWithoutAUsableToken) {
  auto missing = ApiTokenGate::open(file());
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(), file().string() + " does not exist");

  write_tokens({});
  auto empty = ApiTokenGate::open(file());
  ASSERT_FALSE(empty.is_ok());
  EXPECT_EQ(empty.status().message(), file().string() + " holds no token");

  write_tokens({{"alice", "lst_alice"}});
  ASSERT_EQ(::chmod(file().c_str(), 0644), 0);
  auto open_to_others = ApiTokenGate::open(file());
  ASSERT_FALSE(open_to_others.is_ok());
  EXPECT_THAT(open_to_others.status().message(),
              HasSubstr("group or others may access it (mode 0644)"));

  edit("alice 1234\n");
  auto malformed = ApiTokenGate::open(file());
  ASSERT_FALSE(malformed.is_ok());
  EXPECT_THAT(malformed.status().message(), HasSubstr(file().string() + ":1: the SHA-256 must be"));
}

TEST_F(ApiTokenGateTest, ARevokedTokenIsRefusedFromTheNextCheck) {
  write_tokens({{"alice", "lst_alice"}, {"bob", "lst_bob"}});
  auto gate = open_gate();
  ASSERT_NE(gate, nullptr);
  ASSERT_EQ(gate->check("Bearer lst_alice"), Verdict::kValid);
  write_tokens({{"bob", "lst_bob"}});
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kRefused);
  EXPECT_EQ(gate->check("Bearer lst_bob"), Verdict::kValid);
  write_tokens({{"bob", "lst_bob"}, {"carol", "lst_carol"}});
  EXPECT_EQ(gate->check("Bearer lst_carol"), Verdict::kValid);
}

TEST_F(ApiTokenGateTest, AFileThatNoLongerParsesKeepsThePreviousTokens) {
  write_tokens({{"alice", "lst_alice"}});
  auto gate = open_gate();
  ASSERT_NE(gate, nullptr);
  edit("alice lst_pasted_instead_of_its_digest\n");
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kValid);
  EXPECT_EQ(gate->check("Bearer lst_pasted_instead_of_its_digest"), Verdict::kRefused);
  ASSERT_EQ(::chmod(file().c_str(), 0644), 0);  // nor one others may read
  write_tokens({{"alice", "lst_alice"}});
  ASSERT_EQ(::chmod(file().c_str(), 0644), 0);
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kValid);
  // Fixed: read again.
  write_tokens({{"bob", "lst_bob"}});
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kRefused);
  EXPECT_EQ(gate->check("Bearer lst_bob"), Verdict::kValid);
}

TEST_F(ApiTokenGateTest, ARemovedFileAdmitsNobody) {
  write_tokens({{"alice", "lst_alice"}});
  auto gate = open_gate();
  ASSERT_NE(gate, nullptr);
  std::filesystem::remove(file());
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kRefused);
  write_tokens({{"alice", "lst_alice"}});
  EXPECT_EQ(gate->check("Bearer lst_alice"), Verdict::kValid);
}

}  // namespace
}  // namespace labsweep::orchestrator
