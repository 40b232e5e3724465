#pragma once

// Several stopping rules as one (docs/early-stopping.md): every rule sees every report of the
// metrics it watches, and the verdict is the first stop any of them gives, in the order the
// rules were added.

#include <memory>
#include <string>
#include <vector>

#include "sweeps/stopping/stopping_rule.h"

namespace labsweep::sweeps {

class RuleSet final : public StoppingRule {
 public:
  explicit RuleSet(std::vector<std::unique_ptr<StoppingRule>> rules);

  std::vector<std::string> metrics() const override;
  StopVerdict report(const Report& report) override;
  void trial_ended(int64_t trial) override;

 private:
  std::vector<std::unique_ptr<StoppingRule>> rules_;
  std::vector<std::vector<std::string>> metrics_;  // per rule, what it watches
};

}  // namespace labsweep::sweeps
