#include "orchestrator/task_queue.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace labsweep::orchestrator {
namespace {

int make_eventfd() {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    std::perror("labsweep: eventfd");
    std::abort();
  }
  return fd;
}

}  // namespace

TaskQueue::TaskQueue() : fd_(make_eventfd()) {}

TaskQueue::~TaskQueue() {
  close();
  ::close(fd_);
}

bool TaskQueue::post(Task task) {
  {
    MutexLock lock(mu_);
    if (closed_) return false;
    tasks_.push_back(std::move(task));
  }
  uint64_t one = 1;
  // EAGAIN means the counter is already huge, i.e. already readable: nothing is lost.
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
  return true;
}

void TaskQueue::drain_fd() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);
}

size_t TaskQueue::run_all() {
  size_t ran = 0;
  for (;;) {
    // Before taking, so that a post racing with the take leaves the fd readable.
    drain_fd();
    std::deque<Task> batch;
    {
      MutexLock lock(mu_);
      batch.swap(tasks_);
    }
    if (batch.empty()) return ran;
    for (Task& task : batch) {
      task();
      ++ran;
    }
  }
}

void TaskQueue::close() {
  std::deque<Task> dropped;
  {
    MutexLock lock(mu_);
    closed_ = true;
    dropped.swap(tasks_);
  }
  // Destroyed outside the lock: a task may own a promise whose waiter wakes up now.
}

}  // namespace labsweep::orchestrator
