#include "protocol/curve_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace labsweep::protocol {
namespace {

using ::testing::HasSubstr;

// A key pair made once by ZeroMQ, for the parsing tests.
const CurveKeyPair& sample() {
  static const CurveKeyPair keys = *generate_key_pair();
  return keys;
}

TEST(CurveKeysTest, GeneratedKeysAreZ85AndDiffer) {
  auto a = generate_key_pair();
  auto b = generate_key_pair();
  ASSERT_TRUE(a.is_ok()) << a.status().message();
  EXPECT_TRUE(check_z85_key(a->public_key, "a").is_ok());
  EXPECT_TRUE(check_z85_key(a->secret_key, "a").is_ok());
  EXPECT_NE(a->public_key, b->public_key);
  EXPECT_NE(a->secret_key, a->public_key);
}

TEST(CurveKeysTest, Z85KeysOfTheWrongLengthOrAlphabetAreRefusedByPlace) {
  std::string key = sample().public_key;
  EXPECT_EQ(check_z85_key(key.substr(1), "f:3").message(),
            "f:3: a CURVE key is 40 Z85 characters, this one has 39");
  std::string bad = key;
  bad[6] = '~';
  EXPECT_EQ(check_z85_key(bad, "f:3").message(), "f:3: '~' at column 7 is not a Z85 character");
  bad[6] = '"';
  EXPECT_THAT(check_z85_key(bad, "f:3").message(), HasSubstr("column 7"));
  // "#####" is 85^5 - 1, more than 32 bits can hold.
  EXPECT_THAT(check_z85_key(std::string(40, '#'), "f:3").message(), HasSubstr("overflows"));
}

TEST(CurveKeysTest, TheAuthorizeCommandQuotesTheKeyAfterTheOptions) {
  // A key may begin with '-', which would read as an option before `--`.
  EXPECT_EQ(authorize_command("-rZ@0(?o3*n4n9ms/bUY!JKM:l(j+L8F&RR(9/Ez", "gpu-01"),
            "labsweep keys authorize --name gpu-01 -- '-rZ@0(?o3*n4n9ms/bUY!JKM:l(j+L8F&RR(9/Ez'");
  EXPECT_EQ(authorize_command("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"),
            "labsweep keys authorize --name NAME -- 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'");
}

TEST(CurveKeysTest, AKeyPairFileRoundTripsWithMode0600) {
  testing::TempDir dir;
  auto path = dir.path() / "server.key";
  ASSERT_TRUE(write_key_pair(path, sample(), Overwrite::kNo).is_ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = read_key_pair(path);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read->public_key, sample().public_key);
  EXPECT_EQ(read->secret_key, sample().secret_key);
}

TEST(CurveKeysTest, AKeyPairFileOthersCanReadIsRefused) {
  testing::TempDir dir;
  std::string path = dir.write("agent.key", format_key_pair(sample()));
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto read = read_key_pair(path);
  ASSERT_FALSE(read.is_ok());
  EXPECT_THAT(read.status().message(), HasSubstr("mode 0644"));
}

TEST(CurveKeysTest, MalformedKeyPairFilesNameTheLine) {
  const std::string pub = "public " + sample().public_key + "\n";
  const std::string sec = "secret " + sample().secret_key + "\n";
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"# comment\n\npublic " + sample().public_key.substr(2) + "\n" + sec,
       "k:3: a CURVE key is 40 Z85 characters, this one has 38"},
      {pub + "secrets " + sample().secret_key + "\n", "k:2: expected 'public KEY' or 'secret KEY'"},
      {pub + pub + sec, "k:2: a second 'public'"},
      {pub + "secret\n", "k:2: a CURVE key is 40 Z85 characters, this one has 0"},
      {pub, "k: needs a 'public KEY' line and a 'secret KEY' line"},
      {"", "k: needs a 'public KEY' line and a 'secret KEY' line"},
      {pub + "secret " + sample().secret_key + " extra\n", "k:2: a CURVE key is 40"},
  };
  for (const Case& c : cases) {
    auto parsed = parse_key_pair(c.text, "k");
    ASSERT_FALSE(parsed.is_ok()) << c.text;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.error)) << c.text;
  }
  EXPECT_TRUE(parse_key_pair("  # made by hand\r\n" + pub + "\t" + sec, "k").is_ok());
}

TEST(CurveKeysTest, PublicKeyFilesHoldOneKey) {
  testing::TempDir dir;
  auto path = dir.path() / "server.pub";
  ASSERT_TRUE(write_public_key(path, sample().public_key).is_ok());
  EXPECT_EQ(*read_public_key(path), sample().public_key);
  EXPECT_EQ(read_public_key(dir.write("empty.pub", "# nothing\n")).status().message(),
            (dir.path() / "empty.pub").string() + ": holds no key");
  EXPECT_THAT(read_public_key(dir.write("bad.pub", "\nabc\n")).status().message(),
              HasSubstr("bad.pub:2: a CURVE key is 40"));
  EXPECT_FALSE(read_public_key(dir.path() / "missing.pub").is_ok());
}

}  // namespace
}  // namespace labsweep::protocol
