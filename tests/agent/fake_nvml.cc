// A stand-in for libnvidia-ml.so.1 with two GPUs, so that NvmlGpuInventory's dlopen path runs
// on machines without a driver. FAKE_NVML_STRIDE (16, 24 or 32) picks the process-info layout
// that nvmlDeviceGetComputeRunningProcesses_v3 writes, as different drivers do;
// FAKE_NVML_INIT_FAIL=1 makes nvmlInit_v2 fail; FAKE_NVML_PROCESSES_UNSUPPORTED=1 makes the
// process list unsupported, as on some GeForce boards. GPU 1 runs three processes.

#include <cstdlib>
#include <cstring>

namespace {

struct Memory {
  unsigned long long total, free, used;
};
struct Utilization {
  unsigned int gpu, memory;
};

constexpr unsigned long long kMiB = 1ull << 20;
int initialised = 0;

int stride() {
  const char* s = std::getenv("FAKE_NVML_STRIDE");
  return s ? std::atoi(s) : 32;
}

void put_process(unsigned char* at, int stride, unsigned pid, unsigned long long used) {
  std::memset(at, 0, stride);  // every field written, as a driver does
  std::memcpy(at, &pid, sizeof pid);
  std::memcpy(at + 8, &used, sizeof used);
  if (stride >= 24) {
    unsigned invalid = 0xFFFFFFFFu;  // no MIG instance
    std::memcpy(at + 16, &invalid, sizeof invalid);
    std::memcpy(at + 20, &invalid, sizeof invalid);
  }
}

}  // namespace

extern "C" {

int nvmlInit_v2() {
  const char* fail = std::getenv("FAKE_NVML_INIT_FAIL");
  if (fail && std::strcmp(fail, "1") == 0) return 9;  // NVML_ERROR_DRIVER_NOT_LOADED
  ++initialised;
  return 0;
}
int nvmlShutdown() {
  --initialised;
  return 0;
}
const char* nvmlErrorString(int code) {
  return code == 9 ? "Driver Not Loaded" : code == 2 ? "Invalid Argument" : "Unknown Error";
}
int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = 2;
  return initialised > 0 ? 0 : 1;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  if (index >= 2) return 2;
  *device = reinterpret_cast<void*>(static_cast<unsigned long>(index) + 1);
  return 0;
}
static unsigned index_of(void* device) {
  return static_cast<unsigned>(reinterpret_cast<unsigned long>(device) - 1);
}
int nvmlDeviceGetName(void* device, char* name, unsigned length) {
  std::strncpy(name, index_of(device) == 0 ? "Fake NVML H100" : "Fake NVML A100", length);
  return 0;
}
int nvmlDeviceGetUUID(void* device, char* uuid, unsigned length) {
  std::strncpy(uuid, index_of(device) == 0 ? "GPU-0000" : "GPU-1111", length);
  return 0;
}
int nvmlDeviceGetMemoryInfo(void* device, Memory* memory) {
  memory->total = 81559 * kMiB;
  memory->used = index_of(device) == 0 ? 400 * kMiB : 9000 * kMiB;
  memory->free = memory->total - memory->used;
  return 0;
}
int nvmlDeviceGetUtilizationRates(void* device, Utilization* utilization) {
  if (index_of(device) == 0) return 3;  // NVML_ERROR_NOT_SUPPORTED
  utilization->gpu = 87;
  utilization->memory = 40;
  return 0;
}
int nvmlDeviceGetComputeRunningProcesses_v3(void* device, unsigned* count, void* infos) {
  const char* unsupported = std::getenv("FAKE_NVML_PROCESSES_UNSUPPORTED");
  if (unsupported && std::strcmp(unsupported, "1") == 0) return 3;  // NVML_ERROR_NOT_SUPPORTED
  unsigned wanted = index_of(device) == 0 ? 0 : 3;
  if (*count < wanted) {
    *count = wanted;
    return 7;  // NVML_ERROR_INSUFFICIENT_SIZE
  }
  auto* out = static_cast<unsigned char*>(infos);
  int s = stride();
  if (wanted == 3) {
    put_process(out, s, 4242, 5000 * kMiB);
    put_process(out + s, s, 4343, 3000 * kMiB);
    put_process(out + 2 * s, s, 4444, ~0ull);  // NVML_VALUE_NOT_AVAILABLE
  }
  *count = wanted;
  return 0;
}

}  // extern "C"
