#pragma once

// The agent's slots: slots_per_gpu per offered GPU and cpu_slots for CPU trials. The
// orchestrator places trials; the agent still checks every Assign here and refuses, with a
// reason, GPUs that are unknown, not offered, used by others or full, and a CPU trial when no
// CPU slot is free. Not thread-safe: owned by the agent's loop.

#include <cstdint>
#include <map>
#include <unordered_set>
#include <vector>

#include "agent/gpu_availability.h"
#include "agent/gpu_inventory.h"
#include "base/status.h"
#include "protocol/messages.h"

namespace labsweep::agent {

class SlotPool {
 public:
  // `options` must pass validate().
  explicit SlotPool(SlotOptions options);

  // Takes the latest inventory sample and the pids of the agent's trial processes; returns
  // the offered GPUs' states for the next Heartbeat (also kept: states()).
  const std::vector<protocol::GpuState>& update(const std::vector<GpuSample>& samples,
                                                const std::unordered_set<int>& own_pids);
  // The states from the last update(); empty before the first.
  const std::vector<protocol::GpuState>& states() const { return states_; }

  // Takes a slot on each of `gpus` (empty: one CPU slot) for the trial, or none and says why:
  // "GPU 3 is not on this machine", "GPU 1 is not offered by this agent (--gpus 0,2)",
  // "GPU 0 is used by a process outside labsweep", "GPU 0 has no free slot (1 of 1 taken)",
  // "GPU 0 is listed twice", "no free CPU slot (2 of 2 taken)", "trial 7 already holds slots".
  Status reserve(int64_t trial_id, const std::vector<int>& gpus);
  // Takes the slots of a trial that is already running (re-adopted after the agent restarted)
  // without the checks: its processes are on those GPUs whatever the sample says.
  void adopt(int64_t trial_id, const std::vector<int>& gpus);
  // Gives back the trial's slots; a trial holding none is ignored.
  void release(int64_t trial_id);

  // The GPUs the trial holds (empty for a CPU slot or none).
  std::vector<int> gpus_of(int64_t trial_id) const;
  // Free slots now: on an offered GPU that is not used by others, and on the CPU.
  int free_gpu_slots(int gpu) const;
  int free_cpu_slots() const;
  const SlotOptions& options() const { return options_; }

 private:
  Status check_gpu(int gpu) const;
  const protocol::GpuState* state_of(int gpu) const;
  int taken(int gpu) const;

  SlotOptions options_;
  std::vector<protocol::GpuState> states_;    // offered GPUs only
  std::vector<int> present_;                  // every GPU index the last sample had
  std::map<int64_t, std::vector<int>> held_;  // trial -> its GPUs (empty: a CPU slot)
};

}  // namespace labsweep::agent
