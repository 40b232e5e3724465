#include "orchestrator/agent_link.h"

#include <cstdio>
#include <utility>
#include <vector>

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

}  // namespace

AgentLink::AgentLink(zmq::socket_t socket, std::string endpoint)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

Result<std::unique_ptr<AgentLink>> AgentLink::bind(zmq::context_t& context,
                                                   const std::string& endpoint) {
  try {
    zmq::socket_t socket(context, zmq::socket_type::router);
    socket.set(zmq::sockopt::linger, 0);
    // Frames bigger than the protocol allows are cut off by ZeroMQ before they take memory.
    socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(protocol::kMaxFrameBytes));
    socket.bind(zmq_endpoint(endpoint));
    std::string bound = socket.get(zmq::sockopt::last_endpoint);
    return std::unique_ptr<AgentLink>(new AgentLink(std::move(socket), std::move(bound)));
  } catch (const zmq::error_t& e) {
    return io_error("bind agent endpoint " + endpoint + ": " + e.what());
  }
}

void AgentLink::send(const PeerId& peer, const protocol::Message& message) {
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
  Result<protocol::Message> message = protocol::decode(parts.back().to_string_view());
  if (!message) {
    ++garbage_frames_;
    log_dropped(message.status().message());
    return true;
  }
  deliver(peer, std::move(*message));
  return true;
}

}  // namespace labsweep::orchestrator
