#pragma once

// SIGINT and SIGTERM for the long-running subcommands (run, server, agent): blocked in every
// thread and awaited by one watcher thread, so that shutdown runs as ordinary code, never
// inside a signal handler.

#include <functional>
#include <thread>

namespace labsweep::cli {

class ShutdownSignal {
 public:
  // Blocks the signals in the calling thread and in every thread it starts afterwards: create
  // it in main() before any other thread. `on_signal` runs on the watcher thread, once per
  // signal received (a second Ctrl-C may mean "hurry").
  explicit ShutdownSignal(std::function<void(int signal)> on_signal);
  // Stops the watcher; the signals stay blocked.
  ~ShutdownSignal();

  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

 private:
  void watch();

  std::function<void(int)> on_signal_;
  std::thread watcher_;
};

}  // namespace labsweep::cli
