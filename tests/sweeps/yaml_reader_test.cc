#include "sweeps/yaml_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::rendered;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Read {
  std::optional<Value> value;
  Diagnostics diagnostics;
  std::vector<std::string> errors() const { return rendered(diagnostics, Severity::kError); }
  std::vector<std::string> warnings() const { return rendered(diagnostics, Severity::kWarning); }
};

Read read(std::string_view text, YamlLimits limits = {}) {
  Read r;
  r.value = read_yaml(text, r.diagnostics, limits);
  return r;
}

TEST(YamlReaderTest, KeepsTypesOrderAndPlaces) {
  Read r = read("b: 1\na: [x, 2.5, true, null]\nc:\n  d: 'quoted 1'\n");
  ASSERT_TRUE(r.value);
  const Map& m = r.value->as_map();
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].first, "b");
  EXPECT_EQ(m[1].first, "a");
  EXPECT_EQ(m[1].second, Value(List{Value("x"), Value(2.5), Value(true), Value()}));
  EXPECT_EQ(m[2].second.find("d")->as_string(), "quoted 1");
  EXPECT_EQ(m[1].second.location(), (SourceLocation{2, 4}));
  EXPECT_EQ(m[1].second.key_location(), (SourceLocation{2, 1}));
  EXPECT_EQ(m[2].second.find("d")->location(), (SourceLocation{4, 6}));
}

TEST(YamlReaderTest, QuotedAndBlockScalarsAreStrings) {
  Read r = read("a: '1e-5'\nb: \"true\"\nc: |\n  42\n");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value->find("a"), Value("1e-5"));
  EXPECT_EQ(*r.value->find("b"), Value("true"));
  EXPECT_EQ(*r.value->find("c"), Value("42\n"));
  EXPECT_THAT(r.warnings(), IsEmpty());
}

TEST(YamlReaderTest, WarnsWherePyYamlDiffers) {
  Read r = read("min: 1e-5\nflag: yes\n");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value->find("min"), Value(1e-5));
  EXPECT_EQ(*r.value->find("flag"), Value("yes"));
  EXPECT_THAT(r.warnings(),
              ElementsAre("1:6: '1e-5' is read as 1e-05, but PyYAML (which W&B's CLI uses) reads "
                          "it as a string; quote it or write it unambiguously",
                          "2:7: 'yes' is read as a string, but PyYAML (which W&B's CLI uses) reads "
                          "it as the boolean True; quote it or write it unambiguously"));
}

TEST(YamlReaderTest, ExplicitFloatTagIsSilent) {
  Read r = read("min: !!float 1e-5\n");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value->find("min"), Value(1e-5));
  EXPECT_THAT(r.warnings(), IsEmpty());
}

TEST(YamlReaderTest, DuplicateKeysAreErrors) {
  Read r = read("lr: 1\nbatch: 2\nlr: 3\n");
  EXPECT_FALSE(r.value);
  EXPECT_THAT(r.errors(), ElementsAre("3:1: duplicate key 'lr' (first written at line 1)"));
}

TEST(YamlReaderTest, MergeKeysAsPyYaml) {
  Read r = read("base: &b {x: 1, y: 2}\nthis:\n  <<: *b\n  y: 3\n");
  ASSERT_TRUE(r.value) << ::testing::PrintToString(r.errors());
  const Value& m = *r.value->find("this");
  EXPECT_EQ(*m.find("x"), Value(1));
  EXPECT_EQ(*m.find("y"), Value(3));  // written keys win over merged ones
}

TEST(YamlReaderTest, AliasesAreExpanded) {
  Read r = read("a: &v [1, 2]\nb: *v\n");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value->find("b"), Value(List{Value(1), Value(2)}));
}

TEST(YamlReaderTest, ByteOrderMarkIsSkipped) {
  Read r = read("\xEF\xBB\xBFmethod: grid\n");
  ASSERT_TRUE(r.value);
  EXPECT_EQ(*r.value->find("method"), Value("grid"));
}

TEST(YamlReaderTest, EmptyFile) {
  for (const char* text : {"", "\n\n", "# only a comment\n", "---\n"}) {
    Read r = read(text);
    EXPECT_FALSE(r.value);
    EXPECT_THAT(r.errors(), ElementsAre("Configuration file is empty")) << text;
  }
}

TEST(YamlReaderTest, SeveralDocuments) {
  Read r = read("a: 1\n---\nb: 2\n");
  EXPECT_FALSE(r.value);
  EXPECT_THAT(r.errors(), ElementsAre("3:1: expected a single document in the file, found 2"));
}

TEST(YamlReaderTest, NonScalarKeys) {
  Read r = read("? [a, b]\n: 1\n");
  EXPECT_FALSE(r.value);
  EXPECT_THAT(r.errors(),
              ElementsAre("1:3: mapping keys must be plain text, not a list or mapping"));
}

}  // namespace
}  // namespace labsweep::sweeps
