#include "agent/slot_pool.h"

#include <algorithm>
#include <set>

namespace labsweep::agent {
namespace {

std::string join(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

}  // namespace

SlotPool::SlotPool(SlotOptions options) : options_(std::move(options)) {
  if (!validate(options_).is_ok()) std::abort();  // the caller validates the command line
}

const std::vector<protocol::GpuState>& SlotPool::update(const std::vector<GpuSample>& samples,
                                                        const std::unordered_set<int>& own_pids) {
  states_ = offered_gpu_states(samples, own_pids, options_);
  present_.clear();
  for (const GpuSample& s : samples) present_.push_back(s.index);
  return states_;
}

const protocol::GpuState* SlotPool::state_of(int gpu) const {
  for (const protocol::GpuState& s : states_) {
    if (s.index == gpu) return &s;
  }
  return nullptr;
}

int SlotPool::taken(int gpu) const {
  int n = 0;
  for (const auto& [trial, gpus] : held_) n += int(std::count(gpus.begin(), gpus.end(), gpu));
  return n;
}

Status SlotPool::check_gpu(int gpu) const {
  std::string name = "GPU " + std::to_string(gpu);
  if (std::find(present_.begin(), present_.end(), gpu) == present_.end()) {
    return Status(StatusCode::kNotFound, name + " is not on this machine");
  }
  const protocol::GpuState* state = state_of(gpu);
  if (!state) {
    return Status(StatusCode::kFailedPrecondition,
                  name + " is not offered by this agent (--gpus " + join(*options_.gpus) + ")");
  }
  if (state->used_by_others) {
    return Status(StatusCode::kFailedPrecondition,
                  name + " is used by a process outside labsweep (" +
                      std::to_string(state->memory_used_by_others_mb) + " MB in use by others)");
  }
  if (int n = taken(gpu); n >= options_.slots_per_gpu) {
    return Status(StatusCode::kFailedPrecondition,
                  name + " has no free slot (" + std::to_string(n) + " of " +
                      std::to_string(options_.slots_per_gpu) + " taken)");
  }
  return Status::ok();
}

Status SlotPool::reserve(int64_t trial_id, const std::vector<int>& gpus) {
  if (held_.contains(trial_id)) {
    return Status(StatusCode::kFailedPrecondition,
                  "trial " + std::to_string(trial_id) + " already holds slots");
  }
  if (gpus.empty()) {
    if (free_cpu_slots() == 0) {
      int n = options_.cpu_slots;
      return Status(StatusCode::kFailedPrecondition,
                    n == 0 ? std::string("this agent offers no CPU slots (--cpu-slots 0)")
                           : "no free CPU slot (" + std::to_string(n) + " of " + std::to_string(n) +
                                 " taken)");
    }
    held_[trial_id] = {};
    return Status::ok();
  }
  std::set<int> seen;
  for (int gpu : gpus) {
    if (!seen.insert(gpu).second) {
      return invalid_argument("GPU " + std::to_string(gpu) + " is listed twice");
    }
    if (Status s = check_gpu(gpu); !s.is_ok()) return s;
  }
  held_[trial_id] = gpus;
  return Status::ok();
}

void SlotPool::adopt(int64_t trial_id, const std::vector<int>& gpus) { held_[trial_id] = gpus; }

void SlotPool::release(int64_t trial_id) { held_.erase(trial_id); }

std::vector<int> SlotPool::gpus_of(int64_t trial_id) const {
  auto it = held_.find(trial_id);
  return it == held_.end() ? std::vector<int>{} : it->second;
}

int SlotPool::free_gpu_slots(int gpu) const {
  const protocol::GpuState* state = state_of(gpu);
  if (!state || state->used_by_others) return 0;
  return std::max(0, options_.slots_per_gpu - taken(gpu));
}

int SlotPool::free_cpu_slots() const {
  int used = 0;
  for (const auto& [trial, gpus] : held_) used += gpus.empty() ? 1 : 0;
  return std::max(0, options_.cpu_slots - used);
}

}  // namespace labsweep::agent
