#include "orchestrator/agent_link.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "base/log.h"
#include "orchestrator/agent_gate.h"
#include "protocol/codec.h"

namespace labsweep::orchestrator {
namespace {

// ZeroMQ spells "any free port" as *; labsweep's options, like most servers', as 0.
std::string zmq_endpoint(const std::string& endpoint) {
  if (endpoint.starts_with("tcp://") && endpoint.ends_with(":0"))
    return endpoint.substr(0, endpoint.size() - 1) + "*";
  return endpoint;
}

// A poll pass hands over at most this many messages, then lets the loop run its other work.
constexpr int kMaxMessagesPerPoll = 1000;

void log_dropped(const std::string& why) {
  std::fprintf(stderr, "labsweep orchestrator: dropped a frame from an agent link: %s\n",
               why.c_str());
}

// Makes the ROUTER a CURVE server whose handshakes the gate's ZAP handler decides, and lets the
// gate hear of handshakes that fail before they reach it (plaintext clients).
void make_curve_server(zmq::socket_t& socket, const CurveServer& curve) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
  socket.set(zmq::sockopt::zap_domain, "labsweep");
  int events = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  if (zmq_socket_monitor(socket.handle(), curve.gate->monitor_endpoint().c_str(), events) != 0)
    throw zmq::error_t();
}

}  // namespace

AgentLink::AgentLink(zmq::socket_t socket, std::string endpoint, AgentGate* gate)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)), gate_(gate) {}

Result<std::unique_ptr<AgentLink>> AgentLink::bind(zmq::context_t& context,
                                                   const std::string& endpoint,
                                                   std::optional<CurveServer> curve) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    // Frames bigger than the protocol allows are cut off by ZeroMQ before they take memory.
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
    if (curve) make_curve_server(socket, *curve);
    socket.bind(zmq_endpoint(endpoint));
    std::string bound = socket.get(zmq::sockopt::last_endpoint);
    return std::unique_ptr<AgentLink>(
        new AgentLink(std::move(socket), std::move(bound), curve ? curve->gate : nullptr));
  } catch (const zmq::error_t& e) {
    return io_error("bind agent endpoint " + endpoint + ": " + e.what());
  }
}

void AgentLink::send(const PeerId& peer, const protocol::Message& message) {
  if (gate_ != nullptr) {
    auto known = peer_keys_.find(peer);
    if (known != peer_keys_.end() && (known->second.empty() || !gate_->admits(known->second)))
      return;  // revoked: the agent hears nothing more, and presumes the server lost
  }
  std::string frame = protocol::encode(message);
  try {
    // Never blocks the loop: a peer that is gone, or too far behind, loses the message, and
    // the protocol's acks, resends and heartbeats make up for it.
    if (!socket_.send(zmq::buffer(peer), zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return;
    (void)socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "labsweep orchestrator: send '%s': %s\n", protocol::type_name(message),
                 e.what());
  }
}

void AgentLink::poll(std::chrono::milliseconds timeout, int wake_fd, const Deliver& deliver) {
  std::vector<zmq::pollitem_t> items = {
      {socket_.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, wake_fd, ZMQ_POLLIN, 0},
  };
  try {
    zmq::poll(items, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) std::fprintf(stderr, "labsweep orchestrator: poll: %s\n", e.what());
    return;
  }
  if ((items[0].revents & ZMQ_POLLIN) == 0) return;
  for (int i = 0; i < kMaxMessagesPerPoll && receive_one(deliver); ++i) {
  }
}

bool AgentLink::receive_one(const Deliver& deliver) {
  std::vector<zmq::message_t> parts;
  try {
    for (;;) {
      zmq::message_t part;
      if (!socket_.recv(part, zmq::recv_flags::dontwait)) return !parts.empty();
      parts.push_back(std::move(part));
      if (!socket_.get(zmq::sockopt::rcvmore)) break;
    }
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "labsweep orchestrator: receive: %s\n", e.what());
    return false;
  }
  // [routing id][frame], or [routing id][empty delimiter][frame] from a REQ-style peer.
  bool delimited = parts.size() == 3 && parts[1].size() == 0;
  if (parts.size() != 2 && !delimited) {
    ++garbage_frames_;
    log_dropped(std::to_string(parts.size()) + " parts where 2 were expected");
    return true;
  }
  PeerId peer = parts.front().to_string();
  if (gate_ != nullptr && !still_admitted(peer, parts.back())) {
    ++revoked_frames_;
    return true;
  }
  Result<protocol::Message> message = protocol::decode(parts.back().to_string_view());
  if (!message) {
    ++garbage_frames_;
    log_dropped(message.status().message());
    return true;
  }
  deliver(peer, std::move(*message));
  return true;
}

bool AgentLink::still_admitted(const PeerId& peer, zmq::message_t& frame) {
  auto [it, is_new] = peer_keys_.try_emplace(peer);
  if (is_new) {
    // Set by the gate's ZAP reply: the key this connection authenticated with.
    const char* key = zmq_msg_gets(frame.handle(), "User-Id");
    it->second = key != nullptr ? key : "";
  }
  if (it->second.empty()) return false;
  if (gate_->admits(it->second)) return true;
  log_line(LogLevel::kWarning, "server",
           "cut off an agent connection: its key " + it->second + " is no longer authorised");
  it->second.clear();  // cut off for good: a revoked key that is authorised again reconnects
  return false;
}

}  // namespace labsweep::orchestrator
