#pragma once

// labsweep-train's command line (docs/trainer.md, "Flags"), in the form labsweep's sweep engine
// renders parameters: `--lr=0.001`, `--tf32=True`, `--hidden=[256, 128]`. Every flag also takes
// its underscore spelling (`--batch_size`), the usual name in sweep files.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trainer/learning_rate_schedule.h"
#include "trainer/model_config.h"

namespace labsweep::trainer {

enum class DeviceChoice { kAuto, kCpu, kCuda };

struct TrainFlags {
  ModelConfig model;          // hidden from --hidden, or --depth x --width
  OptimizerConfig optimizer;  // --optimizer, --momentum, --weight-decay
  ScheduleConfig schedule;    // --lr, --schedule, --warmup, --step-size, --gamma
  int epochs = 20;
  int batch_size = 128;
  uint64_t seed = 0;
  double validation_fraction = 0.1;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";
  DeviceChoice device = DeviceChoice::kAuto;
  int threads = 0;  // 0: the machine's hardware threads
  bool tf32 = false;
  int64_t limit_train = 0;  // 0: every training row
};

// What parsing the command line decided: run with `flags`, or exit with `exit_code` after
// printing `text` (the help on stdout with 0, an error on stderr with 2).
struct FlagsParse {
  std::optional<TrainFlags> flags;
  int exit_code = 0;
  std::string text;
};

// The configuration labsweep-train runs with no flags (docs/trainer.md gives its accuracy).
TrainFlags default_train_flags();

// `args` are the arguments after the program's name.
FlagsParse parse_train_flags(const std::vector<std::string>& args);

std::string_view to_string(DeviceChoice device);

}  // namespace labsweep::trainer
