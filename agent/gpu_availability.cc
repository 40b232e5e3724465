#include "agent/gpu_availability.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace labsweep::agent {

Status validate(const SlotOptions& options) {
  if (options.slots_per_gpu < 1) return invalid_argument("--slots-per-gpu must be at least 1");
  if (options.cpu_slots < 0) return invalid_argument("--cpu-slots must be 0 or more");
  if (options.others_memory_threshold_mb < 0) {
    return invalid_argument("the memory threshold for other users must be 0 or more");
  }
  if (options.gpus) {
    std::set<int> seen;
    for (int gpu : *options.gpus) {
      if (gpu < 0) return invalid_argument("--gpus: GPU indices start at 0");
      if (!seen.insert(gpu).second) {
        return invalid_argument("--gpus: GPU " + std::to_string(gpu) + " is listed twice");
      }
    }
  }
  return Status::ok();
}

Result<std::vector<int>> parse_gpu_list(std::string_view text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = text.find(',', start);
    std::string_view item =
        text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    int value = -1;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || error != std::errc() || end != item.data() + item.size() || value < 0) {
      return invalid_argument("--gpus: '" + std::string(item) +
                              "' is not a GPU index (expected a list like 0,2)");
    }
    if (std::find(out.begin(), out.end(), value) != out.end()) {
      return invalid_argument("--gpus: GPU " + std::to_string(value) + " is listed twice");
    }
    out.push_back(value);
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

protocol::GpuState gpu_state(const GpuSample& sample, const std::unordered_set<int>& own_pids,
                             const SlotOptions& options) {
  protocol::GpuState state;
  state.index = sample.index;
  state.name = sample.name;
  state.memory_total_mb = sample.memory_total_mb;
  state.memory_used_mb = sample.memory_used_mb;
  state.utilization_percent = sample.utilization_percent;
  int64_t own_mb = 0;
  bool stranger = false;
  for (const GpuProcess& p : sample.processes) {
    if (own_pids.contains(p.pid)) {
      own_mb += p.used_mb.value_or(0);
    } else {
      stranger = true;
    }
  }
  state.memory_used_by_others_mb = std::max<int64_t>(0, sample.memory_used_mb - own_mb);
  state.used_by_others =
      stranger || state.memory_used_by_others_mb >= options.others_memory_threshold_mb;
  return state;
}

std::vector<protocol::GpuState> offered_gpu_states(const std::vector<GpuSample>& samples,
                                                   const std::unordered_set<int>& own_pids,
                                                   const SlotOptions& options) {
  std::vector<protocol::GpuState> out;
  for (const GpuSample& sample : samples) {
    if (options.gpus && std::find(options.gpus->begin(), options.gpus->end(), sample.index) ==
                            options.gpus->end()) {
      continue;
    }
    out.push_back(gpu_state(sample, own_pids, options));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return out;
}

}  // namespace labsweep::agent
