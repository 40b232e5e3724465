#pragma once

// The slots one agent offers (docs/orchestrator.md, "Scheduling"): `slots_per_gpu` per GPU that
// no one outside labsweep is using, plus `cpu_slots`, and which of them labsweep's trials hold.
// A trial holds one slot on each of its GPUs, or one CPU slot when it has none.

#include <map>
#include <optional>
#include <vector>

#include "protocol/messages.h"

namespace labsweep::orchestrator {

// What a trial needs: this many GPUs on one agent, or (0) a CPU slot.
struct ResourceNeed {
  int gpus = 0;
};

class AgentSlots {
 public:
  AgentSlots() = default;
  AgentSlots(std::vector<protocol::GpuState> gpus, int slots_per_gpu, int cpu_slots);

  // The agent's latest GPU states (a heartbeat); what trials hold is kept.
  void update_gpus(std::vector<protocol::GpuState> gpus);

  // GPUs (lowest index first, least loaded first) or a CPU slot for `need`; nullopt when the
  // agent has no room for it now. An empty vector is a CPU slot.
  std::optional<std::vector<int>> find(ResourceNeed need) const;
  // Takes the slots of `gpus` (empty: a CPU slot). Holding more than is offered is allowed:
  // a re-adopted trial runs whether or not its GPU still looks free.
  void hold(const std::vector<int>& gpus);
  void release(const std::vector<int>& gpus);

  bool gpu_free(int index) const;
  bool has_gpus() const { return !gpus_.empty(); }
  const std::vector<protocol::GpuState>& gpus() const { return gpus_; }
  int slots_per_gpu() const { return slots_per_gpu_; }
  int cpu_slots() const { return cpu_slots_; }
  int slots_total() const;
  int slots_used() const;

 private:
  int held_on(int index) const;

  std::vector<protocol::GpuState> gpus_{};
  int slots_per_gpu_ = 1;
  int cpu_slots_ = 0;
  std::map<int, int> gpu_held_{};  // GPU index -> slots held by trials
  int cpu_held_ = 0;
};

}  // namespace labsweep::orchestrator
