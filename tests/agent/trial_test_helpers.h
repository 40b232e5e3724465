#pragma once

// Helpers for the agent tests that run real trial processes.

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

namespace labsweep::agent::testing {

// Trial ids unique to this test process: the agent kills every process on the machine that
// carries a finished trial's marker, so tests running in parallel must not share one.
inline int64_t unique_trial_id(int k) {
  return 1'000'000'000'000LL + static_cast<int64_t>(::getpid()) * 1000 + k;
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether `pid` is a live process (a zombie counts as gone: it can run no more code).
inline bool alive(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// Polls `done` until it holds; the deadline only guards against a hang in real I/O.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

inline bool dies(int pid) {
  return eventually([pid] { return !alive(pid); });
}

// The first integer in a file a trial wrote (a pid), once the file holds one.
inline int read_pid(const std::filesystem::path& path) {
  int pid = 0;
  eventually([&] {
    std::ifstream in(path);
    return static_cast<bool>(in >> pid);
  });
  return pid;
}

}  // namespace labsweep::agent::testing
