#pragma once

// The ZAP handler that decides which agents may join over CURVE (docs/security.md). ZeroMQ 4.3
// admits every CURVE client when no ZAP handler is bound, so the gate must start before the
// ROUTER binds. It runs its own thread: answers ZeroMQ's authentication requests from the
// authorised-keys file, reloads that file when it changes (checked every `reload_interval`), and
// logs refused attempts, including those of plaintext clients, which it learns of from a monitor
// on the ROUTER. admits() is thread-safe, so the loop thread can stop talking to agents whose
// key was revoked while connected.

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <zmq.hpp>

#include "base/mutex.h"
#include "base/status.h"

namespace labsweep::orchestrator {

class AgentGate {
 public:
  // Binds the ZAP endpoint on `context` (borrowed; must outlive the gate) and starts the
  // thread. Fails if the authorised-keys file is malformed or readable by others, or if
  // another ZAP handler is bound on the context.
  static Result<std::unique_ptr<AgentGate>> start(
      zmq::context_t& context, std::filesystem::path authorized_keys,
      std::chrono::milliseconds reload_interval = std::chrono::milliseconds(200));
  ~AgentGate();
  AgentGate(const AgentGate&) = delete;
  AgentGate& operator=(const AgentGate&) = delete;

  // Where the ROUTER's monitor must publish (zmq_socket_monitor) for plaintext refusals to be
  // logged.
  const std::string& monitor_endpoint() const { return monitor_endpoint_; }

  // Whether the Z85 public key is authorised now.
  bool admits(std::string_view key) const;
  // Handshakes refused: unknown keys, and clients that did not speak CURVE.
  int64_t refused() const { return refused_.load(); }

 private:
  AgentGate(zmq::context_t& context, std::filesystem::path authorized_keys,
            std::chrono::milliseconds reload_interval);
  Status load();
  void reload_if_changed();
  void run();
  void answer(zmq::socket_t& zap);
  void note_monitor_event(zmq::socket_t& monitor);
  // Logs a refusal, at most once a minute for the same `who`: a refused client retries every
  // few hundred milliseconds, and the log is for people.
  void log_refusal(const std::string& who, const std::string& message);

  const std::filesystem::path path_;
  const std::chrono::milliseconds reload_interval_;
  const std::string monitor_endpoint_;
  zmq::socket_t zap_;
  zmq::socket_t monitor_;
  mutable Mutex mu_;
  std::map<std::string, std::string, std::less<>> names_ GUARDED_BY(mu_);  // key -> name
  struct stat loaded_ {};  // the file as last loaded (gate thread only after start)
  std::map<std::string, std::chrono::steady_clock::time_point> last_logged_;  // gate thread
  std::atomic<int64_t> refused_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace labsweep::orchestrator
