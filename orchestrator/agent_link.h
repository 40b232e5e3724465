#pragma once

// The orchestrator's end of the agent links: one ZeroMQ ROUTER socket (docs/protocol.md). It
// only moves frames: decoded messages go to the core, the core's messages go out. A frame that
// does not decode is logged and dropped; the service goes on. Loop thread only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "base/status.h"
#include "orchestrator/outbox.h"
#include "orchestrator/peer_id.h"
#include "protocol/messages.h"

namespace labsweep::orchestrator {

class AgentLink final : public Outbox {
 public:
  using Deliver = std::function<void(const PeerId&, protocol::Message)>;

  // Binds a ROUTER socket at `endpoint`: tcp://HOST:PORT (port 0 or *: any free port) or
  // ipc://PATH. `context` is borrowed and must outlive the link.
  static Result<std::unique_ptr<AgentLink>> bind(zmq::context_t& context,
                                                 const std::string& endpoint);

  // The endpoint as bound, with the actual port.
  const std::string& endpoint() const { return endpoint_; }

  void send(const PeerId& peer, const protocol::Message& message) override;

  // Waits up to `timeout` for a frame on the socket or for `wake_fd` to become readable, then
  // hands every message already received (at most a bounded number, so that the caller's other
  // work is not starved) to `deliver`.
  void poll(std::chrono::milliseconds timeout, int wake_fd, const Deliver& deliver);

  // Frames dropped because they did not decode, since the link was bound.
  int64_t garbage_frames() const { return garbage_frames_; }

 private:
  AgentLink(zmq::socket_t socket, std::string endpoint);
  // One message from the socket, if one is waiting; false when none is.
  bool receive_one(const Deliver& deliver);

  zmq::socket_t socket_;
  std::string endpoint_;
  int64_t garbage_frames_ = 0;
};

}  // namespace labsweep::orchestrator
