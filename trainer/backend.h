#pragma once

// A place where the model trains: the CPU (cpu_backend.h) or a CUDA GPU (cuda_backend.h). The
// trainer's loop (trainer.h) drives either through this interface, once per epoch, so that a
// backend keeps a whole epoch to itself: the CUDA backend runs it without a host round trip
// but the epoch's results.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "trainer/dataset.h"
#include "trainer/model_config.h"

namespace labsweep::trainer {

// One epoch of training: the rows of the training set in the order to take them, cut into
// batches of `batch_size` (the last one shorter unless `drop_last`), with one learning rate
// per batch (the schedule, computed by the caller).
struct EpochPlan {
  int epoch = 0;                   // counts from 0; selects the epoch's dropout streams
  uint64_t seed = 0;               // the run's seed; with `epoch`, names every dropout draw
  std::span<const int32_t> order;  // a permutation of the training rows (or a prefix of one)
  int batch_size = 128;
  bool drop_last = false;
  std::span<const float> learning_rates;  // one per batch the plan holds
};

struct EpochResult {
  int batches = 0;       // batches trained; fewer than planned when a stop was asked for
  int64_t samples = 0;   // rows trained
  double mean_loss = 0;  // mean cross-entropy over the rows trained (before each update)
  bool stopped = false;  // the stop flag was seen between two batches
};

struct Evaluation {
  int64_t rows = 0;
  double mean_loss = 0;  // mean cross-entropy
  double accuracy = 0;   // fraction of rows whose largest logit is the label's (first on ties)
};

enum class Split { kTrain, kValidation, kTest };

class Backend {
 public:
  virtual ~Backend() = default;

  // A line for the user: "cpu (OpenBLAS, 2 threads)", "cuda (NVIDIA H200, TF32 off)".
  virtual std::string description() const = 0;

  // Copies the three sets in (to the GPU for the CUDA backend) once, before training.
  virtual void set_data(const Dataset& train, const Dataset& validation, const Dataset& test) = 0;

  // Parameters as ModelConfig lays them out: weight 0, bias 0, weight 1, bias 1, ... Setting
  // them resets the optimizer's state (momentum, Adam's moments and step count).
  virtual void set_parameters(const std::vector<std::vector<float>>& parameters) = 0;
  virtual std::vector<std::vector<float>> parameters() const = 0;

  // Trains one epoch. `stop` is read between batches: once it is true the epoch ends within a
  // few batches (after the batch in progress on the CPU; after those already queued on the GPU,
  // at most a handful, for the CUDA backend), with `stopped` set.
  virtual EpochResult train_epoch(const EpochPlan& plan, const std::atomic<bool>& stop) = 0;

  // Loss and accuracy over a whole set, without dropout, in batches of `batch_size`.
  virtual Evaluation evaluate(Split split, int batch_size) = 0;
};

// PyTorch's nn.Linear initialisation (uniform in +-1/sqrt(inputs) for weights and biases),
// drawn from counter_rng.h under `seed`, so that every backend starts from the same numbers.
std::vector<std::vector<float>> initial_parameters(const ModelConfig& model, uint64_t seed);

}  // namespace labsweep::trainer
