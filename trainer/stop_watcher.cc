#include "trainer/stop_watcher.h"

namespace labsweep::trainer {

StopWatcher::StopWatcher(std::function<bool()> should_stop, std::atomic<bool>& stop,
                         std::chrono::milliseconds period)
    : should_stop_(std::move(should_stop)), stop_(stop), period_(period) {
  thread_ = std::thread([this] { run(); });
}

StopWatcher::~StopWatcher() {
  quit_.store(true);
  thread_.join();
}

void StopWatcher::run() {
  while (!quit_.load() && !stop_.load()) {
    if (should_stop_()) {
      stop_.store(true);
      return;
    }
    std::this_thread::sleep_for(period_);
  }
}

}  // namespace labsweep::trainer
