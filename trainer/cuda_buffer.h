#pragma once

// A move-only owner of one cudaMalloc'd array of T in device memory. Not thread-safe.

#include <cuda_runtime_api.h>

#include <cstddef>
#include <utility>

#include "base/status.h"
#include "trainer/cuda_check.h"

namespace labsweep::trainer {

template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~DeviceBuffer() { release(); }

  // Replaces the contents with `count` uninitialised elements (none: an empty buffer).
  Status allocate(size_t count) {
    release();
    if (count == 0) return Status::ok();
    void* memory = nullptr;
    Status status = cuda_status(cudaMalloc(&memory, count * sizeof(T)), "cudaMalloc");
    if (!status.is_ok()) return status;
    data_ = static_cast<T*>(memory);
    size_ = count;
    return Status::ok();
  }

  // Makes room for at least `count` elements, keeping none of the old ones; aborts when the
  // device is out of memory (callers inside an epoch have no error path).
  void reserve(size_t count) {
    if (count > size_) cuda_check(allocate_or_error(count), "cudaMalloc");
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  cudaError_t allocate_or_error(size_t count) {
    release();
    void* memory = nullptr;
    cudaError_t error = cudaMalloc(&memory, count * sizeof(T));
    if (error == cudaSuccess) {
      data_ = static_cast<T*>(memory);
      size_ = count;
    }
    return error;
  }
  void release() {
    if (data_ != nullptr) cudaFree(data_);
    data_ = nullptr;
    size_ = 0;
  }

  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace labsweep::trainer
