#include "orchestrator/agent_slots.h"

#include <algorithm>
#include <utility>

namespace labsweep::orchestrator {

AgentSlots::AgentSlots(std::vector<protocol::GpuState> gpus, int slots_per_gpu, int cpu_slots)
    : gpus_(std::move(gpus)),
      slots_per_gpu_(std::max(slots_per_gpu, 1)),
      cpu_slots_(std::max(cpu_slots, 0)) {}

void AgentSlots::update_gpus(std::vector<protocol::GpuState> gpus) { gpus_ = std::move(gpus); }

int AgentSlots::held_on(int index) const {
  auto it = gpu_held_.find(index);
  return it == gpu_held_.end() ? 0 : it->second;
}

bool AgentSlots::gpu_free(int index) const {
  for (const protocol::GpuState& gpu : gpus_) {
    if (gpu.index == index) return !gpu.used_by_others && held_on(index) < slots_per_gpu_;
  }
  return false;
}

std::optional<std::vector<int>> AgentSlots::find(ResourceNeed need) const {
  if (need.gpus <= 0) {
    if (cpu_held_ < cpu_slots_) return std::vector<int>{};
    return std::nullopt;
  }
  std::vector<int> candidates;
  for (const protocol::GpuState& gpu : gpus_) {
    if (gpu_free(gpu.index)) candidates.push_back(gpu.index);
  }
  if (candidates.size() < static_cast<size_t>(need.gpus)) return std::nullopt;
  // Least loaded first spreads packed trials over the GPUs; the index breaks ties.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [&](int a, int b) { return held_on(a) < held_on(b); });
  candidates.resize(static_cast<size_t>(need.gpus));
  std::sort(candidates.begin(), candidates.end());
  return candidates;
}

void AgentSlots::hold(const std::vector<int>& gpus) {
  if (gpus.empty()) ++cpu_held_;
  for (int index : gpus) ++gpu_held_[index];
}

void AgentSlots::release(const std::vector<int>& gpus) {
  if (gpus.empty()) cpu_held_ = std::max(cpu_held_ - 1, 0);
  for (int index : gpus) {
    auto it = gpu_held_.find(index);
    if (it == gpu_held_.end()) continue;
    if (--it->second <= 0) gpu_held_.erase(it);
  }
}

int AgentSlots::slots_total() const {
  return static_cast<int>(gpus_.size()) * slots_per_gpu_ + cpu_slots_;
}

int AgentSlots::slots_used() const {
  int used = cpu_held_;
  for (const auto& [index, held] : gpu_held_) used += held;
  return used;
}

}  // namespace labsweep::orchestrator
