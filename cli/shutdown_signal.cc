#include "cli/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

namespace labsweep::cli {
namespace {

// SIGUSR1 wakes the watcher when the object is destroyed; it is never sent from outside.
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR1);
  return set;
}

}  // namespace

ShutdownSignal::ShutdownSignal(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this] { watch(); });
}

ShutdownSignal::~ShutdownSignal() {
  pthread_kill(watcher_.native_handle(), SIGUSR1);
  watcher_.join();
}

void ShutdownSignal::watch() {
  sigset_t set = watched_signals();
  for (;;) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    if (signal == SIGUSR1) return;
    on_signal_(signal);
  }
}

}  // namespace labsweep::cli
