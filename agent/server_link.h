#pragma once

// The agent's end of the link to the orchestrator (docs/protocol.md): a ZeroMQ DEALER, the
// hello/welcome exchange, heartbeats and the deadline after which the orchestrator is presumed
// lost. Reconnecting makes a new DEALER, hence a new routing id, so the orchestrator sees a
// fresh connection that begins with hello. ZeroMQ's exceptions stop here. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <zmq.hpp>

#include "base/clock.h"
#include "base/status.h"
#include "protocol/messages.h"

namespace labsweep::agent {

struct LinkTimings {
  std::chrono::milliseconds hello_timeout{5000};  // no welcome by then: connect again
  int missed_heartbeats = 3;  // silence for this many heartbeat intervals: the link is lost
};

// The keys of a CURVE link (docs/security.md): the agent's own pair, which the server must have
// authorised, and the server's public key, which proves the server is the one meant. Z85 text.
struct CurveClient {
  std::string server_public_key;
  std::string public_key;
  std::string secret_key;
};

class ServerLink {
 public:
  // `context` and `clock` must outlive the link. With `curve`, every connection is encrypted
  // and authenticated; without it, plaintext.
  ServerLink(zmq::context_t& context, std::string endpoint, const Clock& clock, LinkTimings timings,
             std::optional<CurveClient> curve = std::nullopt);

  // Replaces the socket with a new one connected to the endpoint and sends `hello`; what the
  // old one still held unsent is dropped (the outbox resends it after the welcome).
  Status connect(const protocol::Hello& hello);

  // Queue a message without blocking; false when the socket cannot take it now.
  bool send(const protocol::Message& message);
  bool send_frame(std::string_view frame);

  // The next well-formed message, without blocking, or nullopt. A Welcome is taken in here
  // (welcomed() turns true) and also returned. Malformed frames are logged and dropped.
  std::optional<protocol::Message> receive();

  bool welcomed() const { return welcomed_; }
  // Nothing heard within the deadline (hello_timeout before the welcome, missed_heartbeats
  // intervals after it).
  bool lost() const;
  bool heartbeat_due() const;
  void heartbeat_sent() { last_heartbeat_ = clock_.now(); }
  // The next moment lost() or heartbeat_due() may change.
  Clock::TimePoint next_deadline() const;

  // For zmq::poll; null before connect().
  void* handle() { return socket_ ? socket_->handle() : nullptr; }
  uint64_t dropped_frames() const { return dropped_frames_; }
  uint64_t connections() const { return connections_; }

 private:
  Clock::TimePoint lost_at() const;

  zmq::context_t& context_;
  std::string endpoint_;
  const Clock& clock_;
  LinkTimings timings_;
  std::optional<CurveClient> curve_;
  std::unique_ptr<zmq::socket_t> socket_;
  bool welcomed_ = false;
  std::chrono::milliseconds heartbeat_interval_{1000};
  Clock::TimePoint last_heard_{};
  Clock::TimePoint last_heartbeat_{};
  uint64_t dropped_frames_ = 0;
  uint64_t connections_ = 0;
};

}  // namespace labsweep::agent
