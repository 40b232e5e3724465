#pragma once

// An agent written in the test: a real ZeroMQ DEALER that speaks the protocol by hand, for
// tests of the orchestrator's socket and server.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "protocol/codec.h"
#include "protocol/messages.h"

namespace labsweep::orchestrator {

class FakeAgent {
 public:
  FakeAgent(zmq::context_t& context, const std::string& endpoint)
      : socket_(context, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 200);
    socket_.connect(endpoint);
  }

  void send(const protocol::Message& message) { send_raw(protocol::encode(message)); }
  void send_raw(const std::string& frame) {
    ASSERT_TRUE(socket_.send(zmq::buffer(frame), zmq::send_flags::none));
  }

  // The next message of type M within `timeout`, skipping others (heartbeats, say).
  template <typename M>
  std::optional<M> wait_for(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      zmq::message_t frame;
      if (!socket_.recv(frame)) continue;  // the receive timeout: look at the deadline
      Result<protocol::Message> message = protocol::decode(frame.to_string_view());
      if (!message) {
        ADD_FAILURE() << "the orchestrator sent a frame that does not decode";
        continue;
      }
      if (auto* m = std::get_if<M>(&*message)) return *m;
    }
    return std::nullopt;
  }

  zmq::socket_t& socket() { return socket_; }

 private:
  zmq::socket_t socket_;
};

}  // namespace labsweep::orchestrator
