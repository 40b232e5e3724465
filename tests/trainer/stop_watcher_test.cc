// The watcher turns a polled answer into the stop flag, and stops asking once it is gone.

#include "trainer/stop_watcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace labsweep::trainer {
namespace {

TEST(StopWatcherTest, SetsTheFlagOnceTheAnswerIsYes) {
  std::atomic<bool> stop{false};
  std::atomic<int> asked{0};
  StopWatcher watcher([&] { return ++asked >= 3; }, stop, std::chrono::milliseconds(1));
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!stop.load()) {  // polling, not timing: the bound only ends a broken test
    ASSERT_LT(std::chrono::steady_clock::now(), give_up);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(asked.load(), 3);
}

TEST(StopWatcherTest, LeavesTheFlagAloneAndStopsAskingWhenDestroyed) {
  std::atomic<bool> stop{false};
  std::atomic<int> asked{0};
  {
    StopWatcher watcher([&] { return ++asked, false; }, stop, std::chrono::milliseconds(1));
    while (asked.load() < 2) std::this_thread::yield();
  }
  int after = asked.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(asked.load(), after);
  EXPECT_FALSE(stop.load());
}

TEST(StopWatcherTest, AFlagSetElsewhereEndsTheWatching) {
  std::atomic<bool> stop{true};  // SIGTERM came first
  std::atomic<int> asked{0};
  StopWatcher watcher([&] { return ++asked, false; }, stop, std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(asked.load(), 0);
}

}  // namespace
}  // namespace labsweep::trainer
