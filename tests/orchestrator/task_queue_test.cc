#include "orchestrator/task_queue.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <memory>
#include <thread>
#include <vector>

namespace labsweep::orchestrator {
namespace {

bool readable(int fd) {
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, 0) == 1;
}

TEST(TaskQueueTest, RunsTasksInOrderAndItsFdSaysWhenSomeWait) {
  TaskQueue queue;
  EXPECT_FALSE(readable(queue.fd()));
  std::vector<int> ran;
  ASSERT_TRUE(queue.post([&] {
    ran.push_back(1);
    queue.post([&] { ran.push_back(3); });  // posted while running: runs in the same call
  }));
  ASSERT_TRUE(queue.post([&] { ran.push_back(2); }));
  EXPECT_TRUE(readable(queue.fd()));
  EXPECT_EQ(queue.run_all(), 3u);
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(readable(queue.fd()));
}

TEST(TaskQueueTest, TakesTasksFromOtherThreads) {
  TaskQueue queue;
  int sum = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&queue, &sum] {
      for (int i = 0; i < 100; ++i) queue.post([&sum] { ++sum; });
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(queue.run_all(), 400u);
  EXPECT_EQ(sum, 400);
}

TEST(TaskQueueTest, AfterCloseTasksAreDroppedUnrun) {
  TaskQueue queue;
  bool ran = false;
  auto owned = std::make_shared<int>(1);
  queue.post([&ran, owned] { ran = true; });
  queue.close();
  EXPECT_EQ(owned.use_count(), 1);  // the queued task was destroyed
  EXPECT_FALSE(queue.post([&ran] { ran = true; }));
  EXPECT_EQ(queue.run_all(), 0u);
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace labsweep::orchestrator
