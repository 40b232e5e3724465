#pragma once

// Which GPUs are free for labsweep (docs/agent.md, "Free GPUs"): pure functions of a GPU sample,
// the pids of the agent's own trial processes, and the agent's options, so that they are tested
// without a machine.

#include <cstdint>
#include <optional>
#include <unordered_set>
#include <vector>

#include "agent/gpu_inventory.h"
#include "protocol/messages.h"

namespace labsweep::agent {

// What the agent offers: `labsweep agent --gpus 0,2 --slots-per-gpu N --cpu-slots N`.
struct SlotOptions {
  // Default threshold: above the driver's own reservation on current GPUs (a few hundred MB
  // shows as "used" on an idle H100), below what any real training job holds.
  static constexpr int64_t kDefaultOthersMemoryThresholdMb = 1024;

  std::optional<std::vector<int>> gpus;  // --gpus: only these indices are offered; nullopt: all
  int slots_per_gpu = 1;                 // trials packed onto one GPU, >= 1
  int cpu_slots = 0;                     // slots for trials with resources.gpus = 0, >= 0
  // A GPU on which processes other than labsweep's trials use this much memory or more is
  // not free, even when the driver lists none of their processes (another container's).
  int64_t others_memory_threshold_mb = kDefaultOthersMemoryThresholdMb;
};

// Checks the options' ranges; errors name the option ("--slots-per-gpu must be at least 1").
Status validate(const SlotOptions& options);

// Parses the value of --gpus: comma-separated distinct indices >= 0 ("0,2"); errors name it.
Result<std::vector<int>> parse_gpu_list(std::string_view text);

// One GPU's state as the orchestrator sees it. `own_pids` are the pids of every process in the
// agent's trial process trees. Memory used by others is the GPU's used memory minus what own
// processes use (never below 0), so memory of processes the driver does not list counts as
// others'. used_by_others: a process not in `own_pids` runs on it, or others' memory reaches
// the threshold. Memory used by everyone and utilisation are passed on as sampled, for people.
protocol::GpuState gpu_state(const GpuSample& sample, const std::unordered_set<int>& own_pids,
                             const SlotOptions& options);

// The states of the offered GPUs (all, or those in options.gpus that exist), by index, for
// Hello and Heartbeat.
std::vector<protocol::GpuState> offered_gpu_states(const std::vector<GpuSample>& samples,
                                                   const std::unordered_set<int>& own_pids,
                                                   const SlotOptions& options);

}  // namespace labsweep::agent
