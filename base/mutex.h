#pragma once

// A mutex that clang's thread-safety analysis understands (std::mutex carries no annotations
// in libstdc++), the scoped lock that holds it, and waiting on a condition variable under it.

#include <condition_variable>
#include <mutex>

#include "base/thread_annotations.h"

namespace labsweep {

class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mu_.lock(); }
  void unlock() RELEASE() { mu_.unlock(); }

  // Releases the mutex while blocked on `cv` and holds it again on return; wakes spuriously,
  // so call it in a loop that checks the condition.
  void wait(std::condition_variable& cv) REQUIRES(this) {
    std::unique_lock<std::mutex> lock(mu_, std::adopt_lock);
    cv.wait(lock);
    lock.release();  // still held: the caller's scope unlocks it
  }

 private:
  std::mutex mu_;
};

// Holds `mu` for the enclosing scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.lock(); }
  ~MutexLock() RELEASE() { mu_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mu_;
};

}  // namespace labsweep
