#pragma once

// A Backend that trains nothing and records what it was asked, for tests of the loop around
// the backends: each epoch's plan, the parameters set, the evaluations asked for. Its losses
// are fixed functions of the epoch, so that reports can be checked to the digit.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "trainer/backend.h"

namespace labsweep::trainer::testing {

struct RecordedPlan {
  int epoch = 0;
  uint64_t seed = 0;
  std::vector<int32_t> order;
  int batch_size = 0;
  std::vector<float> learning_rates;
};

class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(std::string name = "fake") : name_(std::move(name)) {}

  std::string description() const override { return name_; }
  void set_data(const Dataset& train, const Dataset& validation, const Dataset& test) override {
    rows = {train.rows, validation.rows, test.rows};
  }
  void set_parameters(const std::vector<std::vector<float>>& p) override { parameters_ = p; }
  std::vector<std::vector<float>> parameters() const override { return parameters_; }

  // Trains the plan's batches in order, calling `on_batch` (a test's hook) after each and
  // honouring `stop` between batches as a backend must.
  EpochResult train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) override {
    plans.push_back({plan.epoch,
                     plan.seed,
                     {plan.order.begin(), plan.order.end()},
                     plan.batch_size,
                     {plan.learning_rates.begin(), plan.learning_rates.end()}});
    EpochResult result;
    for (size_t start = 0; start < plan.order.size(); start += plan.batch_size) {
      if (stop.load()) {
        result.stopped = true;
        break;
      }
      result.samples += std::min<int64_t>(plan.batch_size, plan.order.size() - start);
      ++result.batches;
      if (on_batch) on_batch(plan.epoch, result.batches - 1);
    }
    result.mean_loss = 1.0 / (plan.epoch + 1);
    return result;
  }

  Evaluation evaluate(Split split, int) override {
    evaluations.push_back(split);
    int which = split == Split::kTest ? 2 : 1;
    return Evaluation{rows[which], 0.5 / (static_cast<double>(plans.size())),
                      1.0 - 0.1 / static_cast<double>(plans.size())};
  }

  std::vector<RecordedPlan> plans;
  std::vector<Split> evaluations;
  std::vector<int> rows;
  std::function<void(int epoch, int batch)> on_batch;

 private:
  std::string name_;
  std::vector<std::vector<float>> parameters_;
};

}  // namespace labsweep::trainer::testing
