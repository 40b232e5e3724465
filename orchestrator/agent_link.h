#pragma once

// The orchestrator's end of the agent links: one ZeroMQ ROUTER socket (docs/protocol.md). It
// only moves frames: decoded messages go to the core, the core's messages go out. A frame that
// does not decode is logged and dropped; the service goes on. Loop thread only.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <zmq.hpp>

#include "base/status.h"
#include "orchestrator/outbox.h"
#include "orchestrator/peer_id.h"
#include "protocol/messages.h"

namespace labsweep::orchestrator {

class AgentGate;

// How the ROUTER authenticates agents (docs/security.md): with CURVE, under this secret key,
// admitting the keys `gate` admits. `gate` is borrowed and must outlive the link.
struct CurveServer {
  std::string secret_key;  // Z85
  AgentGate* gate = nullptr;
};

class AgentLink final : public Outbox {
 public:
  using Deliver = std::function<void(const PeerId&, protocol::Message)>;

  // Binds a ROUTER socket at `endpoint`: tcp://HOST:PORT (port 0 or *: any free port) or
  // ipc://PATH. `context` is borrowed and must outlive the link. With `curve`, only agents that
  // complete a CURVE handshake with an authorised key get through, and frames from an agent
  // whose key is revoked while connected are dropped, and nothing more is sent to it.
  static Result<std::unique_ptr<AgentLink>> bind(zmq::context_t& context,
                                                 const std::string& endpoint,
                                                 std::optional<CurveServer> curve = std::nullopt);

  // The endpoint as bound, with the actual port.
  const std::string& endpoint() const { return endpoint_; }

  void send(const PeerId& peer, const protocol::Message& message) override;

  // Waits up to `timeout` for a frame on the socket or for `wake_fd` to become readable, then
  // hands every message already received (at most a bounded number, so that the caller's other
  // work is not starved) to `deliver`.
  void poll(std::chrono::milliseconds timeout, int wake_fd, const Deliver& deliver);

  // Frames dropped because they did not decode, since the link was bound.
  int64_t garbage_frames() const { return garbage_frames_; }
  // Frames dropped because their agent's key is no longer authorised.
  int64_t revoked_frames() const { return revoked_frames_; }

 private:
  AgentLink(zmq::socket_t socket, std::string endpoint, AgentGate* gate);
  // One message from the socket, if one is waiting; false when none is.
  bool receive_one(const Deliver& deliver);
  // With a gate: whether the peer's key (the "User-Id" of a frame it sent; ZeroMQ attaches it to
  // the frames that came over the wire, not to the routing id) is still authorised.
  bool still_admitted(const PeerId& peer, zmq::message_t& frame);

  zmq::socket_t socket_;
  std::string endpoint_;
  AgentGate* gate_ = nullptr;
  std::unordered_map<PeerId, std::string> peer_keys_;  // with a gate: each peer's public key
  int64_t garbage_frames_ = 0;
  int64_t revoked_frames_ = 0;
};

}  // namespace labsweep::orchestrator
