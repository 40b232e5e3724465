// Malformed input of every kind: each gives errors that name a place, never a crash or a hang.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "sweeps/sweep_reader.h"
#include "sweeps/yaml_reader.h"
#include "tests/support/sweep_text.h"

namespace labsweep::sweeps {
namespace {

using labsweep::testing::errors_of;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kValid =
    "method: grid\n"
    "program: train.py\n"
    "metric: {name: loss, goal: minimize}\n"
    "parameters:\n"
    "  lr: {values: [0.1, 0.01]}\n"
    "  batch: {min: 16, max: 64}\n";

TEST(MalformedYamlTest, EveryTruncationIsHandled) {
  std::string text = kValid;
  for (size_t n = 0; n < text.size(); ++n) {
    ReadResult r = read_sweep(std::string_view(text).substr(0, n));
    EXPECT_NE(r.spec.has_value(), r.diagnostics.has_errors()) << "prefix of " << n << " bytes";
  }
}

TEST(MalformedYamlTest, UnclosedFlowSequence) {
  EXPECT_THAT(errors_of("method: grid\nparameters:\n  lr: {values: [0.1, 0.01\n"),
              ElementsAre(HasSubstr("invalid YAML: ")));
  auto errors = errors_of("method: grid\nparameters:\n  lr: {values: [0.1, 0.01\n");
  EXPECT_THAT(errors[0], ::testing::MatchesRegex("[0-9]+:[0-9]+: invalid YAML: .*"));
}

TEST(MalformedYamlTest, TabIndentation) {
  auto errors = errors_of("method: grid\nparameters:\n\tlr:\n\t\tvalues: [1]\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::MatchesRegex("[0-9]+:[0-9]+: invalid YAML: .*"));
}

TEST(MalformedYamlTest, WrongTypes) {
  EXPECT_THAT(errors_of("- method\n- grid\n"),
              ElementsAre("1:1: Sweep config must be parsable as a JSON object."));
  EXPECT_THAT(errors_of("just a string\n"),
              ElementsAre("1:1: Sweep config must be parsable as a JSON object."));
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nparameters: [lr, batch]\n"),
              ElementsAre("3:13: Parameters section of sweep config must be a dict of at least "
                          "length 1"));
  EXPECT_THAT(errors_of("method: [grid]\nprogram: t.py\nparameters: {a: {value: 1}}\n"),
              ElementsAre("1:9: ['grid'] is not one of ['bayes', 'random', 'grid', 'custom']"));
}

TEST(MalformedYamlTest, HugeNumbers) {
  EXPECT_THAT(errors_of("method: grid\nprogram: t.py\nparameters:\n  a: {min: 1, max: "
                        "99999999999999999999999}\n"),
              ElementsAre("4:20: '99999999999999999999999': integer is too large: labsweep reads "
                          "integers of up to 64 bits"));
  EXPECT_THAT(
      errors_of("method: random\nprogram: t.py\nparameters:\n  a: {min: 0.0, max: 1e999}\n"),
      ElementsAre("4:22: parameter 'a': max must be a finite number, not inf"));
}

TEST(MalformedYamlTest, DeepNesting) {
  std::string deep = "a: " + std::string(100, '[') + std::string(100, ']') + "\n";
  auto errors = errors_of(deep);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("nesting is deeper than 64 levels"));

  std::string very_deep = "a: " + std::string(100'000, '[') + "\n";
  errors = errors_of(very_deep);  // yaml-cpp's own depth guard stops it first
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("invalid YAML"));
}

TEST(MalformedYamlTest, BinaryJunk) {
  EXPECT_THAT(errors_of(std::string("method: grid\n\x00\x01\x02", 16)),
              ElementsAre("2:1: the file is not YAML text: byte 0x00 is a control character"));
  EXPECT_THAT(errors_of("method: gr\xff\xfeid\n"),
              ElementsAre("1:11: the file is not YAML text: byte 0xff is not valid UTF-8"));
  EXPECT_THAT(errors_of("a: \xC3\n"),
              ElementsAre("1:4: the file is not YAML text: byte 0xc3 is not valid UTF-8"));
}

TEST(MalformedYamlTest, AliasBombIsStopped) {
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    char prev = static_cast<char>(c - 1);
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev +
            ", *" + prev + "]\n";
  }
  Diagnostics d;
  EXPECT_FALSE(read_yaml(bomb, d, YamlLimits{.max_depth = 64, .max_nodes = 100'000}));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_THAT(d.all()[0].message, HasSubstr("expands to more than 100000 values"));
}

TEST(MalformedYamlTest, UnsupportedTags) {
  EXPECT_THAT(
      errors_of("method: !!python/name:os.system grid\n"),
      ElementsAre("1:9: 'grid': unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'"));
}

// Random mutations of a valid file, from a fixed seed: whatever comes out, reading it must
// end with a spec or with errors, never a crash, a hang or an exception.
TEST(MalformedYamlTest, RandomMutationsNeverCrash) {
  const uint32_t seed = 20261124;
  std::mt19937 rng(seed);
  const std::string alphabet = "{}[]:,-?&*!|>'\"#%@`\t\n \\0123456789.eE+abc\x80\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text = kValid;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t pos = rng() % (text.size() + 1);
      char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(text.begin() + static_cast<long>(pos), c);
          break;
        case 1:
          if (pos < text.size()) text.erase(pos, 1);
          break;
        default:
          if (pos < text.size()) text[pos] = c;
      }
    }
    ReadResult r = read_sweep(text);
    EXPECT_TRUE(r.spec.has_value() != r.diagnostics.has_errors())
        << "seed " << seed << " round " << round << "\n"
        << text;
  }
}

}  // namespace
}  // namespace labsweep::sweeps
