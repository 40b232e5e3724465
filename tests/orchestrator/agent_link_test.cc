// The ROUTER shell on real sockets: binding, delivering, replying, and surviving garbage.

#include "orchestrator/agent_link.h"

#include <gmock/gmock.h>

#include "orchestrator/task_queue.h"
#include "tests/orchestrator/fake_agent.h"
#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class AgentLinkTest : public ::testing::Test {
 protected:
  void bind(const std::string& endpoint) {
    auto link = AgentLink::bind(context_, endpoint);
    ASSERT_TRUE(link) << link.status().message();
    link_ = std::move(*link);
  }

  // Polls until `count` messages arrived or a bounded wait ran out.
  void receive(size_t count) {
    for (int i = 0; i < 200 && received_.size() < count; ++i) {
      link_->poll(std::chrono::milliseconds(50), wake_.fd(),
                  [&](const PeerId& peer, protocol::Message m) {
                    received_.emplace_back(peer, std::move(m));
                  });
    }
    ASSERT_EQ(received_.size(), count);
  }

  zmq::context_t context_;
  TaskQueue wake_;  // never posted to: only its fd is polled
  std::unique_ptr<AgentLink> link_;
  std::vector<std::pair<PeerId, protocol::Message>> received_;
};

protocol::Hello hello() {
  return {.agent_name = "gpu01",
          .host = "h",
          .gpus = {},
          .cpu_slots = 1,
          .slots_per_gpu = 1,
          .running_trials = {}};
}

TEST_F(AgentLinkTest, PortZeroBindsAFreePortAndSaysWhich) {
  bind("tcp://127.0.0.1:0");
  EXPECT_THAT(link_->endpoint(), HasSubstr("tcp://127.0.0.1:"));
  EXPECT_THAT(link_->endpoint(), Not(HasSubstr(":0")));
  EXPECT_THAT(link_->endpoint(), Not(HasSubstr("*")));
}

TEST_F(AgentLinkTest, AnAddressInUseIsAnError) {
  bind("tcp://127.0.0.1:0");
  auto second = AgentLink::bind(context_, link_->endpoint());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
}

TEST_F(AgentLinkTest, DeliversMessagesAndRepliesToTheirPeer) {
  testing::TempDir dir;
  bind("ipc://" + (dir.path() / "agents.sock").string());
  FakeAgent agent(context_, link_->endpoint());
  agent.send(hello());
  receive(1);
  EXPECT_EQ(std::get<protocol::Hello>(received_[0].second), hello());
  link_->send(received_[0].first, protocol::Welcome{.heartbeat_interval = std::chrono::seconds(2)});
  auto welcome = agent.wait_for<protocol::Welcome>();
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->heartbeat_interval, std::chrono::seconds(2));
}

TEST_F(AgentLinkTest, GarbageFramesAreDroppedAndServiceContinues) {
  bind("tcp://127.0.0.1:0");
  FakeAgent agent(context_, link_->endpoint());
  agent.send_raw("");
  agent.send_raw("this is not msgpack");
  agent.send_raw(std::string("\x81\xa1v\x02", 4));  // {"v": 2}
  std::string wrong_version = protocol::encode(hello());
  size_t v = wrong_version.find(std::string("\xa1v\x01", 3));
  ASSERT_NE(v, std::string::npos);
  wrong_version[v + 2] = '\x02';
  agent.send_raw(wrong_version);
  agent.send_raw(std::string(1 << 10, '\xc1'));  // a byte MessagePack never uses
  // Three parts where the middle one is not an empty delimiter.
  agent.socket().send(zmq::str_buffer("x"), zmq::send_flags::sndmore);
  agent.socket().send(zmq::str_buffer("y"), zmq::send_flags::none);
  agent.send(protocol::Heartbeat{});
  receive(1);
  EXPECT_TRUE(std::holds_alternative<protocol::Heartbeat>(received_[0].second));
  EXPECT_EQ(link_->garbage_frames(), 6);
}

TEST_F(AgentLinkTest, ARequestStyleDelimiterIsAccepted) {
  bind("tcp://127.0.0.1:0");
  FakeAgent agent(context_, link_->endpoint());
  std::string frame = protocol::encode(hello());
  agent.socket().send(zmq::message_t(), zmq::send_flags::sndmore);
  agent.socket().send(zmq::buffer(frame), zmq::send_flags::none);
  receive(1);
  EXPECT_TRUE(std::holds_alternative<protocol::Hello>(received_[0].second));
}

}  // namespace
}  // namespace labsweep::orchestrator
