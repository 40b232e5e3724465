#include "protocol/authorized_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "protocol/curve_keys.h"
#include "tests/support/temp_dir.h"

namespace labsweep::protocol {
namespace {

using ::testing::HasSubstr;

std::string new_key() { return generate_key_pair()->public_key; }

TEST(AuthorizedKeysTest, ParsesKeysNamesCommentsAndBlankLines) {
  std::string a = new_key();
  std::string b = new_key();
  auto keys = AuthorizedKeys::parse(
      "# the lab's agents\n\n" + a + " gpu-01\n  " + b + "\tgpu-02   # rack 2\n", "ak");
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  ASSERT_EQ(keys->entries().size(), 2u);
  EXPECT_EQ(keys->entries()[1].key, b);
  EXPECT_EQ(keys->entries()[1].name, "gpu-02");
  EXPECT_TRUE(keys->contains(a));
  EXPECT_EQ(keys->find("gpu-01")->key, a);
  EXPECT_FALSE(keys->contains(new_key()));
}

TEST(AuthorizedKeysTest, AHashInsideAKeyIsNotAComment) {
  // '#' is a Z85 character (the largest digit: a key never starts with it, a group of five
  // starting with it overflows 32 bits).
  std::string inside = "0123456789abcdefghijk#mnopqrstuvwxyzA#CD";
  std::string leading = "0123456789abcdefghijklmnopqrstuvwxyzABC#";
  auto keys = AuthorizedKeys::parse(
      "#comment\n" + inside + " one #trailing words\n" + leading + " two\n", "ak");
  ASSERT_TRUE(keys.is_ok()) << keys.status().message();
  ASSERT_EQ(keys->entries().size(), 2u);
  EXPECT_EQ(keys->entries()[0].key, inside);
  EXPECT_EQ(keys->entries()[1].key, leading);
}

TEST(AuthorizedKeysTest, MalformedLinesAreErrorsNamingFileAndLine) {
  std::string a = new_key();
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"# ok\n" + a + "\n", "ak:2: expected 'KEY NAME', found 1 words"},
      {a + " gpu 01\n", "ak:1: expected 'KEY NAME', found 3 words"},
      {a.substr(0, 39) + " gpu\n", "ak:1: a CURVE key is 40 Z85 characters, this one has 39"},
      {a.substr(0, 39) + "~ gpu\n", "ak:1: '~' at column 40 is not a Z85 character"},
      {a + " gpu/01\n", "ak:1: name 'gpu/01' must be 1 to 64 letters"},
      {a + " gpu\n" + a + " gpu2\n", "ak:2: the key is repeated"},
      {a + " gpu\n" + new_key() + " gpu\n", "ak:2: the name 'gpu' is repeated"},
  };
  for (const Case& c : cases) {
    auto keys = AuthorizedKeys::parse(c.text, "ak");
    ASSERT_FALSE(keys.is_ok()) << c.text;
    EXPECT_THAT(keys.status().message(), HasSubstr(c.error)) << c.text;
  }
}

TEST(AuthorizedKeysTest, AddAndRemoveByKeyOrName) {
  AuthorizedKeys keys;
  std::string a = new_key();
  std::string b = new_key();
  ASSERT_TRUE(keys.add({.key = a, .name = "one"}).is_ok());
  ASSERT_TRUE(keys.add({.key = b, .name = "two"}).is_ok());
  EXPECT_THAT(keys.add({.key = a, .name = "three"}).message(),
              HasSubstr("already authorised, as 'one'"));
  EXPECT_THAT(keys.add({.key = new_key(), .name = "two"}).message(), HasSubstr("'two' is taken"));
  EXPECT_FALSE(keys.add({.key = "short", .name = "x"}).is_ok());
  EXPECT_EQ(keys.remove("one")->key, a);
  EXPECT_EQ(keys.remove(b)->name, "two");
  EXPECT_EQ(keys.remove("two").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(keys.entries().empty());
}

TEST(AuthorizedKeysTest, TheFileRoundTripsWithMode0600AndMissingMeansNobody) {
  testing::TempDir dir;
  auto path = dir.path() / "authorized_agents";
  auto missing = AuthorizedKeys::read(path);
  ASSERT_TRUE(missing.is_ok());
  EXPECT_TRUE(missing->entries().empty());
  AuthorizedKeys keys;
  ASSERT_TRUE(keys.add({.key = new_key(), .name = "gpu-01"}).is_ok());
  ASSERT_TRUE(keys.write(path).is_ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = AuthorizedKeys::read(path);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(read->entries()[0].key, keys.entries()[0].key);
  ASSERT_EQ(::chmod(path.c_str(), 0664), 0);
  EXPECT_THAT(AuthorizedKeys::read(path).status().message(), HasSubstr("mode 0664"));
}

TEST(AuthorizedKeysTest, KeyNames) {
  EXPECT_TRUE(valid_key_name("gpu-01.lab_a"));
  EXPECT_FALSE(valid_key_name(""));
  EXPECT_FALSE(valid_key_name(std::string(65, 'a')));
  EXPECT_FALSE(valid_key_name("a b"));
  EXPECT_FALSE(valid_key_name("é"));
}

}  // namespace
}  // namespace labsweep::protocol
