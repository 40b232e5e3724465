// labsweep-train: trains an MLP classifier on IDX data (docs/trainer.md). Reports through the
// trial socket under labsweep and prints a table either way; a stop notice or SIGTERM ends it
// between batches, with what it has reported and exit code 0.

#include <signal.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "base/clock.h"
#include "clients/cpp/labsweep.hpp"
#include "trainer/backend_choice.h"
#include "trainer/data_split.h"
#include "trainer/epoch_table.h"
#include "trainer/idx_reader.h"
#include "trainer/stop_watcher.h"
#include "trainer/train_flags.h"
#include "trainer/training_loop.h"
#include "trainer/trial_reporter.h"

namespace labsweep::trainer {
namespace {

// Set by SIGTERM and by a stop notice; read by the backend between batches. A lock-free atomic,
// so that the signal handler may store to it.
std::atomic<bool> g_stop{false};
std::atomic<bool> g_sigterm{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_sigterm(int) {
  g_sigterm.store(true);
  g_stop.store(true);
}

void install_sigterm_handler() {
  struct sigaction action {};
  action.sa_handler = on_sigterm;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
}

class BothObservers final : public TrainingObserver {
 public:
  BothObservers(TrainingObserver& first, TrainingObserver& second) : a_(first), b_(second) {}
  void on_epoch(const EpochReport& r) override {
    a_.on_epoch(r);
    b_.on_epoch(r);
  }
  void on_finish(const FinalReport& r) override {
    a_.on_finish(r);
    b_.on_finish(r);
  }

 private:
  TrainingObserver& a_;
  TrainingObserver& b_;
};

std::string describe(const TrainFlags& f) {
  std::ostringstream out;
  out << "model: " << f.model.inputs;
  for (int width : f.model.hidden) out << "-" << width;
  out << "-" << f.model.classes << " " << to_string(f.model.activation) << ", dropout "
      << f.model.dropout << "; " << to_string(f.optimizer.kind) << " lr " << f.schedule.lr
      << " weight decay " << f.optimizer.weight_decay << "; batch " << f.batch_size << ", "
      << f.epochs << " epochs, seed " << f.seed;
  return out.str();
}

Result<SplitData> load_data(const TrainFlags& flags) {
  Result<Dataset> train = read_mnist_set(flags.data_dir, "train");
  if (!train) return train.status();
  Result<Dataset> test = read_mnist_set(flags.data_dir, "t10k");
  if (!test) return test.status();
  return split_and_normalise(std::move(*train), std::move(*test), flags.validation_fraction,
                             flags.limit_train);
}

// Trains with the stop watcher running while the trial is under labsweep.
void train(Backend& backend, const SplitData& data, const TrainFlags& flags,
           labsweep_client::Trial& trial) {
  SystemClock clock;
  EpochTable table(std::cout);
  TrialReporter reporter(trial, g_stop);
  BothObservers observers(table, reporter);
  std::optional<StopWatcher> watcher;
  if (trial.in_labsweep()) {
    watcher.emplace(
        [&trial] {
          try {
            return trial.should_stop();
          } catch (const labsweep_client::Error& e) {
            std::cerr << "labsweep-train: " << e.what() << "\n";
            return true;  // labsweep is gone: no one is left to report to
          }
        },
        g_stop);
  }
  FinalReport result = run_training(backend, data, flags, g_stop, clock, observers);
  watcher.reset();
  if (!result.stopped) return;
  std::optional<std::string> reason = trial.in_labsweep() ? trial.stop_reason() : std::nullopt;
  std::cout << "stopped: "
            << (g_sigterm.load()
                    ? std::string("SIGTERM")
                    : "stop notice" + (reason && !reason->empty() ? ": " + *reason : std::string()))
            << std::endl;
}

int run(TrainFlags flags) {
  Result<SplitData> data = load_data(flags);
  if (!data) {
    std::cerr << "labsweep-train: " << data.status().message() << "\n";
    return 1;
  }
  flags.model.inputs = data->train.features;
  flags.model.classes = data->train.classes;
  Result<ChosenBackend> chosen = choose_backend(flags, built_in_backends());
  if (!chosen) {
    std::cerr << "labsweep-train: " << chosen.status().message() << "\n";
    return 1;
  }
  std::cout << chosen->note << "\n"
            << describe(flags) << "\n"
            << "data: " << data->train.rows << " training, " << data->validation.rows
            << " validation, " << data->test.rows << " test rows from " << flags.data_dir
            << std::endl;
  try {
    labsweep_client::Trial trial;
    train(*chosen->backend, *data, flags, trial);
  } catch (const labsweep_client::Error& e) {
    std::cerr << "labsweep-train: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace labsweep::trainer

int main(int argc, char** argv) {
  using namespace labsweep::trainer;
  install_sigterm_handler();
  FlagsParse parsed = parse_train_flags(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.flags) {
    (parsed.exit_code == 0 ? std::cout : std::cerr) << parsed.text << "\n";
    return parsed.exit_code;
  }
  return run(std::move(*parsed.flags));
}
