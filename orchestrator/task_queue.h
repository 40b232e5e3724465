#pragma once

// Work handed to the orchestrator's loop thread from other threads: store completions (on the
// writer's thread) and calls from the HTTP threads. An eventfd becomes readable when something
// is queued, so the loop can poll it together with its ZeroMQ socket. Thread-safe.

#include <deque>
#include <functional>

#include "base/mutex.h"
#include "base/thread_annotations.h"

namespace labsweep::orchestrator {

class TaskQueue {
 public:
  using Task = std::function<void()>;

  TaskQueue();  // aborts if the kernel refuses an eventfd: nothing could work without it
  ~TaskQueue();
  TaskQueue(const TaskQueue&) = delete;
  TaskQueue& operator=(const TaskQueue&) = delete;

  // Queues `task` to run on the loop thread. After close() the task is dropped (destroyed on
  // the caller's thread, never run) and post returns false.
  bool post(Task task) EXCLUDES(mu_);

  // Runs everything queued, in order, including what those tasks post; returns how many ran.
  // Loop thread only.
  size_t run_all() EXCLUDES(mu_);

  // Refuses further tasks and destroys those still queued without running them.
  void close() EXCLUDES(mu_);

  // Readable while tasks are queued; for zmq::poll.
  int fd() const { return fd_; }

 private:
  void drain_fd();

  const int fd_;
  Mutex mu_;
  std::deque<Task> tasks_ GUARDED_BY(mu_);
  bool closed_ GUARDED_BY(mu_) = false;
};

}  // namespace labsweep::orchestrator
