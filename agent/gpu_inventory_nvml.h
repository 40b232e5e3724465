#pragma once

// The GPUs as NVIDIA's driver reports them, through NVML loaded at run time (dlopen), so that
// the agent builds and runs on machines without the driver: there, open() fails with a clear
// Status and the agent runs with no GPUs. nvml.h is not needed: the few functions used are
// declared in gpu_inventory_nvml.cc from NVML's documented C API.

#include <memory>
#include <string>

#include "agent/gpu_inventory.h"

namespace labsweep::agent {

class NvmlLibrary;  // the loaded library and its functions (gpu_inventory_nvml.cc)

class NvmlGpuInventory final : public GpuInventory {
 public:
  static constexpr const char* kDefaultLibrary = "libnvidia-ml.so.1";

  // Loads `library` (a name that dlopen looks up, or a path) and initialises NVML. Fails with
  // "no NVIDIA driver: libnvidia-ml.so.1 not found (...)" when it cannot be loaded, and names
  // the NVML error when initialisation fails.
  static Result<std::unique_ptr<NvmlGpuInventory>> open(
      const std::string& library = kDefaultLibrary);

  ~NvmlGpuInventory() override;  // nvmlShutdown, then dlclose
  NvmlGpuInventory(const NvmlGpuInventory&) = delete;
  NvmlGpuInventory& operator=(const NvmlGpuInventory&) = delete;

  // Every GPU in NVML's order (PCI bus order). A GPU that NVML cannot query fails the sample
  // with a message naming its index and the NVML error.
  Result<std::vector<GpuSample>> sample() override;
  std::string description() const override;

 private:
  explicit NvmlGpuInventory(std::unique_ptr<NvmlLibrary> library);
  std::unique_ptr<NvmlLibrary> library_;
};

}  // namespace labsweep::agent
