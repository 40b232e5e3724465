#pragma once

// Turns a polled "should we stop?" (labsweep's stop notice, read with Trial::should_stop) into
// the stop flag the backend reads between batches: a small thread asks every `period` while
// training runs, so that a notice is seen within a batch or so even in a long epoch.

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

namespace labsweep::trainer {

class StopWatcher {
 public:
  // Sets `stop` (borrowed; must outlive the watcher) once `should_stop` returns true.
  // `should_stop` runs on the watcher's thread and must be safe to call from there.
  StopWatcher(std::function<bool()> should_stop, std::atomic<bool>& stop,
              std::chrono::milliseconds period = std::chrono::milliseconds(20));
  ~StopWatcher();  // joins the thread
  StopWatcher(const StopWatcher&) = delete;
  StopWatcher& operator=(const StopWatcher&) = delete;

 private:
  void run();

  std::function<bool()> should_stop_;
  std::atomic<bool>& stop_;
  std::chrono::milliseconds period_;
  std::atomic<bool> quit_{false};
  std::thread thread_;
};

}  // namespace labsweep::trainer
