#include "agent/gpu_inventory_nvml.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <limits>

namespace labsweep::agent {

// NVML's C API, declared from its documentation (nvml.h may not be installed).
namespace nvml {

using Return = int;  // nvmlReturn_t
using Device = struct DeviceOpaque*;
constexpr Return kSuccess = 0;
constexpr Return kErrorNotSupported = 3;
constexpr Return kErrorNoPermission = 4;
constexpr Return kErrorInsufficientSize = 7;
constexpr unsigned kStringBufferSize = 96;  // NVML_DEVICE_NAME_V2_BUFFER_SIZE, UUID_V2 likewise
constexpr unsigned long long kValueNotAvailable = std::numeric_limits<unsigned long long>::max();

struct Memory {  // nvmlMemory_t
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
struct Utilization {  // nvmlUtilization_t
  unsigned int gpu;
  unsigned int memory;
};
// Every process-info layout starts with these two members; later versions add fields after
// them (nvmlProcessInfo_v1_t: 16 bytes, _v2_t: 24, the v3 layout of R535: 32).
struct ProcessInfoHead {
  unsigned int pid;
  unsigned long long usedGpuMemory;
};

using InitFn = Return (*)();
using ShutdownFn = Return (*)();
using GetCountFn = Return (*)(unsigned int*);
using GetHandleFn = Return (*)(unsigned int, Device*);
using GetStringFn = Return (*)(Device, char*, unsigned int);
using GetMemoryFn = Return (*)(Device, Memory*);
using GetUtilizationFn = Return (*)(Device, Utilization*);
using GetProcessesFn = Return (*)(Device, unsigned int*, void*);
using ErrorStringFn = const char* (*)(Return);

}  // namespace nvml

// The loaded library: the dlopen handle and the functions. Owns both; shuts NVML down and
// unloads the library when destroyed.
class NvmlLibrary {
 public:
  ~NvmlLibrary() {
    if (initialised && shutdown) shutdown();
    if (handle) dlclose(handle);
  }

  std::string error_text(nvml::Return code) const {
    const char* text = error_string ? error_string(code) : nullptr;
    return (text ? std::string(text) : "NVML error") + " (" + std::to_string(code) + ")";
  }

  void* handle = nullptr;
  bool initialised = false;
  nvml::InitFn init = nullptr;
  nvml::ShutdownFn shutdown = nullptr;
  nvml::GetCountFn get_count = nullptr;
  nvml::GetHandleFn get_handle = nullptr;
  nvml::GetStringFn get_name = nullptr;
  nvml::GetStringFn get_uuid = nullptr;
  nvml::GetMemoryFn get_memory = nullptr;
  nvml::GetUtilizationFn get_utilization = nullptr;
  nvml::GetProcessesFn get_processes = nullptr;
  std::size_t process_stride = 0;  // the layout get_processes writes; 0: probe (v3)
  nvml::ErrorStringFn error_string = nullptr;
};

namespace {

template <typename Fn>
bool bind(void* handle, const char* name, Fn& out) {
  out = reinterpret_cast<Fn>(dlsym(handle, name));
  return out != nullptr;
}

Status bind_all(NvmlLibrary& lib) {
  void* h = lib.handle;
  bind(h, "nvmlErrorString", lib.error_string);
  const char* missing = nullptr;
  if (!bind(h, "nvmlInit_v2", lib.init)) missing = "nvmlInit_v2";
  if (!bind(h, "nvmlShutdown", lib.shutdown)) missing = "nvmlShutdown";
  if (!bind(h, "nvmlDeviceGetCount_v2", lib.get_count)) missing = "nvmlDeviceGetCount_v2";
  if (!bind(h, "nvmlDeviceGetHandleByIndex_v2", lib.get_handle)) {
    missing = "nvmlDeviceGetHandleByIndex_v2";
  }
  if (!bind(h, "nvmlDeviceGetName", lib.get_name)) missing = "nvmlDeviceGetName";
  if (!bind(h, "nvmlDeviceGetUUID", lib.get_uuid)) missing = "nvmlDeviceGetUUID";
  if (!bind(h, "nvmlDeviceGetMemoryInfo", lib.get_memory)) missing = "nvmlDeviceGetMemoryInfo";
  bind(h, "nvmlDeviceGetUtilizationRates", lib.get_utilization);
  // The newest process query the driver has, with the layout that version writes.
  if (bind(h, "nvmlDeviceGetComputeRunningProcesses_v3", lib.get_processes)) {
    lib.process_stride = 0;
  } else if (bind(h, "nvmlDeviceGetComputeRunningProcesses_v2", lib.get_processes)) {
    lib.process_stride = 24;
  } else if (bind(h, "nvmlDeviceGetComputeRunningProcesses", lib.get_processes)) {
    lib.process_stride = 16;
  } else {
    missing = "nvmlDeviceGetComputeRunningProcesses";
  }
  if (missing) {
    return Status(StatusCode::kFailedPrecondition,
                  std::string("NVIDIA driver too old: its NVML lacks ") + missing);
  }
  return Status::ok();
}

constexpr unsigned char kFill = 0xA5;

// The stride of the entries a _v3 call wrote into a buffer filled with kFill: drivers of
// R535 write the 32-byte layout, later ones the 24-byte one under the same name, and some
// have been seen writing 16. Whatever lies past count * stride is untouched filler; with two
// or more entries, real data there (pids, memory sizes) is never all filler. With one entry
// every stride reads the same.
std::size_t probe_stride(const unsigned char* buffer, unsigned count) {
  for (std::size_t stride : {16, 24}) {
    bool untouched = true;
    for (std::size_t i = stride * count; i < 32 * count && untouched; ++i) {
      untouched = buffer[i] == kFill;
    }
    if (untouched) return stride;
  }
  return 32;
}

std::vector<GpuProcess> read_processes(const unsigned char* buffer, unsigned count,
                                       std::size_t stride) {
  std::vector<GpuProcess> out;
  for (unsigned i = 0; i < count; ++i) {
    nvml::ProcessInfoHead head;
    std::memcpy(&head.pid, buffer + i * stride, sizeof head.pid);
    std::memcpy(&head.usedGpuMemory,
                buffer + i * stride + offsetof(nvml::ProcessInfoHead, usedGpuMemory),
                sizeof head.usedGpuMemory);
    GpuProcess p{int(head.pid), std::nullopt};
    if (head.usedGpuMemory != nvml::kValueNotAvailable) {
      p.used_mb = int64_t(head.usedGpuMemory >> 20);
    }
    out.push_back(p);
  }
  return out;
}

Result<std::vector<GpuProcess>> processes_of(const NvmlLibrary& lib, nvml::Device device) {
  unsigned capacity = 64;
  for (int attempt = 0; attempt < 4; ++attempt) {
    std::vector<unsigned char> buffer(std::size_t(capacity) * 32, kFill);
    unsigned count = capacity;
    nvml::Return rc = lib.get_processes(device, &count, buffer.data());
    if (rc == nvml::kErrorInsufficientSize) {
      capacity = count + 16;  // processes may start meanwhile
      continue;
    }
    // Some GPUs (older GeForce) and unprivileged containers cannot list processes: the memory
    // used by others still tells whether someone else is on the GPU.
    if (rc == nvml::kErrorNotSupported || rc == nvml::kErrorNoPermission) {
      return std::vector<GpuProcess>{};
    }
    if (rc != nvml::kSuccess) return io_error(lib.error_text(rc));
    if (count > capacity) return io_error("NVML reported more processes than it had room for");
    std::size_t stride =
        lib.process_stride ? lib.process_stride : probe_stride(buffer.data(), count);
    return read_processes(buffer.data(), count, stride);
  }
  return io_error("the process list kept growing");
}

Result<GpuSample> sample_device(const NvmlLibrary& lib, unsigned index) {
  auto failed = [&](const char* what, nvml::Return rc) {
    return io_error("GPU " + std::to_string(index) + ": " + what + ": " + lib.error_text(rc));
  };
  nvml::Device device = nullptr;
  if (nvml::Return rc = lib.get_handle(index, &device); rc != nvml::kSuccess) {
    return failed("nvmlDeviceGetHandleByIndex_v2", rc);
  }
  GpuSample out;
  out.index = int(index);
  char text[nvml::kStringBufferSize] = {};
  if (nvml::Return rc = lib.get_name(device, text, sizeof text); rc != nvml::kSuccess) {
    return failed("nvmlDeviceGetName", rc);
  }
  out.name.assign(text, strnlen(text, sizeof text));
  std::memset(text, 0, sizeof text);
  if (lib.get_uuid(device, text, sizeof text) == nvml::kSuccess) {
    out.uuid.assign(text, strnlen(text, sizeof text));
  }
  nvml::Memory memory{};
  if (nvml::Return rc = lib.get_memory(device, &memory); rc != nvml::kSuccess) {
    return failed("nvmlDeviceGetMemoryInfo", rc);
  }
  out.memory_total_mb = int64_t(memory.total >> 20);
  out.memory_used_mb = int64_t(memory.used >> 20);
  nvml::Utilization utilization{};
  if (lib.get_utilization && lib.get_utilization(device, &utilization) == nvml::kSuccess) {
    out.utilization_percent = int(utilization.gpu);
  }
  Result<std::vector<GpuProcess>> processes = processes_of(lib, device);
  if (!processes) {
    return io_error("GPU " + std::to_string(index) +
                    ": nvmlDeviceGetComputeRunningProcesses: " + processes.status().message());
  }
  out.processes = std::move(*processes);
  return out;
}

}  // namespace

NvmlGpuInventory::NvmlGpuInventory(std::unique_ptr<NvmlLibrary> library)
    : library_(std::move(library)) {}

NvmlGpuInventory::~NvmlGpuInventory() = default;

Result<std::unique_ptr<NvmlGpuInventory>> NvmlGpuInventory::open(const std::string& library) {
  auto lib = std::make_unique<NvmlLibrary>();
  lib->handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle) {
    const char* why = dlerror();
    return Status(StatusCode::kNotFound, "no NVIDIA driver: " + library + " not found (" +
                                             (why ? why : "dlopen failed") + ")");
  }
  if (Status s = bind_all(*lib); !s.is_ok()) return s;
  if (nvml::Return rc = lib->init(); rc != nvml::kSuccess) {
    return Status(
        StatusCode::kFailedPrecondition,
        "NVIDIA driver present but NVML failed to start: nvmlInit_v2: " + lib->error_text(rc));
  }
  lib->initialised = true;
  return std::unique_ptr<NvmlGpuInventory>(new NvmlGpuInventory(std::move(lib)));
}

Result<std::vector<GpuSample>> NvmlGpuInventory::sample() {
  unsigned count = 0;
  if (nvml::Return rc = library_->get_count(&count); rc != nvml::kSuccess) {
    return io_error("nvmlDeviceGetCount_v2: " + library_->error_text(rc));
  }
  std::vector<GpuSample> out;
  for (unsigned i = 0; i < count; ++i) {
    Result<GpuSample> gpu = sample_device(*library_, i);
    if (!gpu) return gpu.status();
    out.push_back(std::move(*gpu));
  }
  return out;
}

std::string NvmlGpuInventory::description() const { return "NVML (NVIDIA driver)"; }

}  // namespace labsweep::agent
