#include "agent/server_link.h"

#include <cstdio>

#include "protocol/codec.h"

namespace labsweep::agent {

ServerLink::ServerLink(zmq::context_t& context, std::string endpoint, const Clock& clock,
                       LinkTimings timings, std::optional<CurveClient> curve)
    : context_(context),
      endpoint_(std::move(endpoint)),
      clock_(clock),
      timings_(timings),
      curve_(std::move(curve)) {}

Status ServerLink::connect(const protocol::Hello& hello) {
  welcomed_ = false;
  last_heard_ = clock_.now();
  socket_.reset();
  try {
    auto socket = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::dealer);
    socket->set(zmq::sockopt::linger, 0);  // a lost orchestrator must not hold up shutdown
    if (curve_) {
      socket->set(zmq::sockopt::curve_serverkey, curve_->server_public_key);
      socket->set(zmq::sockopt::curve_publickey, curve_->public_key);
      socket->set(zmq::sockopt::curve_secretkey, curve_->secret_key);
    }
    socket->connect(endpoint_);
    socket_ = std::move(socket);
  } catch (const zmq::error_t& e) {
    return io_error("cannot connect to " + endpoint_ + ": " + e.what());
  }
  ++connections_;
  if (!send(hello)) return io_error("cannot send hello to " + endpoint_);
  return Status::ok();
}

bool ServerLink::send(const protocol::Message& message) {
  return send_frame(protocol::encode(message));
}

bool ServerLink::send_frame(std::string_view frame) {
  if (!socket_) return false;
  try {
    return socket_->send(zmq::const_buffer(frame.data(), frame.size()), zmq::send_flags::dontwait)
        .has_value();
  } catch (const zmq::error_t& e) {
    std::fprintf(stderr, "labsweep agent: send to %s failed: %s\n", endpoint_.c_str(), e.what());
    return false;
  }
}

std::optional<protocol::Message> ServerLink::receive() {
  while (socket_) {
    zmq::message_t frame;
    try {
      if (!socket_->recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
    } catch (const zmq::error_t& e) {
      std::fprintf(stderr, "labsweep agent: receive failed: %s\n", e.what());
      return std::nullopt;
    }
    Result<protocol::Message> message = protocol::decode(frame.to_string_view());
    if (!message) {
      ++dropped_frames_;
      std::fprintf(stderr, "labsweep agent: dropped a frame from the orchestrator: %s\n",
                   message.status().message().c_str());
      continue;
    }
    last_heard_ = clock_.now();
    if (const auto* welcome = std::get_if<protocol::Welcome>(&message.value())) {
      welcomed_ = true;
      if (welcome->heartbeat_interval.count() > 0)
        heartbeat_interval_ = welcome->heartbeat_interval;
      last_heartbeat_ = last_heard_;
    }
    return std::move(message).value();
  }
  return std::nullopt;
}

Clock::TimePoint ServerLink::lost_at() const {
  if (!welcomed_) return last_heard_ + timings_.hello_timeout;
  return last_heard_ + heartbeat_interval_ * timings_.missed_heartbeats;
}

bool ServerLink::lost() const { return clock_.now() >= lost_at(); }

bool ServerLink::heartbeat_due() const {
  return welcomed_ && clock_.now() >= last_heartbeat_ + heartbeat_interval_;
}

Clock::TimePoint ServerLink::next_deadline() const {
  Clock::TimePoint next = lost_at();
  if (welcomed_) next = std::min(next, last_heartbeat_ + heartbeat_interval_);
  return next;
}

}  // namespace labsweep::agent
