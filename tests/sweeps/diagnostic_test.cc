#include "sweeps/diagnostic.h"

#include <gtest/gtest.h>

namespace labsweep::sweeps {
namespace {

TEST(DiagnosticTest, FormatsLikeACompiler) {
  Diagnostic e{Severity::kError, "parameter 'lr': min 1 is not less than max 0", {12, 5}, "lr"};
  EXPECT_EQ(format_diagnostic("sweep.yaml", e),
            "sweep.yaml:12:5: error: parameter 'lr': min 1 is not less than max 0");
  Diagnostic w{Severity::kWarning, "careful", {}, ""};
  EXPECT_EQ(format_diagnostic("s.yaml", w), "s.yaml: warning: careful");
}

TEST(DiagnosticTest, ShowsTheLineWithACaret) {
  Diagnostic e{Severity::kError, "bad", {2, 7}, ""};
  EXPECT_EQ(format_diagnostic_with_source("s.yaml", "a: 1\nlr: {min: 1}\n", e),
            "s.yaml:2:7: error: bad\n  lr: {min: 1}\n        ^");
  Diagnostic tabbed{Severity::kError, "bad", {1, 3}, ""};
  EXPECT_EQ(format_diagnostic_with_source("s.yaml", "\tx: 1\r\n", tabbed),
            "s.yaml:1:3: error: bad\n  \tx: 1\n  \t ^");
  Diagnostic past_end{Severity::kError, "bad", {9, 1}, ""};
  EXPECT_EQ(format_diagnostic_with_source("s.yaml", "a: 1\n", past_end), "s.yaml:9:1: error: bad");
}

TEST(DiagnosticTest, CollectsBySeverity) {
  Diagnostics d;
  EXPECT_FALSE(d.has_errors());
  d.warning({1, 1}, "w");
  EXPECT_FALSE(d.has_errors());
  d.error({2, 1}, "e", "lr");
  EXPECT_TRUE(d.has_errors());
  ASSERT_EQ(d.errors().size(), 1u);
  EXPECT_EQ(d.errors()[0].parameter, "lr");
  EXPECT_EQ(d.warnings().size(), 1u);
  EXPECT_EQ(d.all().size(), 2u);
}

}  // namespace
}  // namespace labsweep::sweeps
