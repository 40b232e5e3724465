#include "tests/support/sweep_text.h"

#include <gtest/gtest.h>

namespace labsweep::testing {

sweeps::SweepSpec valid_spec(std::string_view yaml) {
  sweeps::ReadResult result = sweeps::read_sweep(yaml);
  EXPECT_TRUE(result.spec.has_value())
      << "errors: "
      << ::testing::PrintToString(rendered(result.diagnostics, sweeps::Severity::kError));
  return result.spec ? *result.spec : sweeps::SweepSpec{};
}

}  // namespace labsweep::testing
