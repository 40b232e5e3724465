// The whole server on real sockets: a fake agent over ZeroMQ runs a sweep end to end, garbage
// does not stop the service, and a restarted server on the same database picks up where the
// last one was.

#include "orchestrator/server.h"

#include <gmock/gmock.h>

#include <thread>

#include "store/store_reader.h"
#include "tests/orchestrator/fake_agent.h"
#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr const char* kGrid =
    "method: grid\ncommand:\n  - prog\n  - ${args}\nparameters:\n  x:\n    values: [1, 2, 3]\n";

class ServerTest : public ::testing::Test {
 protected:
  void start() {
    ServerOptions options{.db_path = dir_.path() / "lab.db",
                          .agent_endpoint = "tcp://127.0.0.1:0",
                          .heartbeat_interval = std::chrono::milliseconds(100),
                          .missed_heartbeats = 20,
                          .http_host = "127.0.0.1",
                          .http_port = 0};
    auto server = Server::start(options, clock_);
    ASSERT_TRUE(server) << server.status().message();
    server_ = std::move(*server);
  }

  store::SweepId submit(const std::string& text) {
    auto result = server_->control().submit_sweep({.text = text, .file_name = "grid.yaml"});
    EXPECT_TRUE(result) << (result ? "" : result.status().message());
    if (!result || !result->sweep) return {};
    return *result->sweep;
  }

  // Waits (bounded) until the stored sweep is in `state`.
  bool wait_for_state(store::SweepId sweep, store::SweepState state) {
    auto reader = store::StoreReader::open(dir_.path() / "lab.db");
    if (!reader) return false;
    for (int i = 0; i < 500; ++i) {
      auto overview = (*reader)->sweep(sweep);
      if (overview && overview->sweep.state == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  static protocol::Hello hello(std::vector<int64_t> running = {}) {
    return {.agent_name = "cpu01",
            .host = "cpu01.lab",
            .gpus = {},
            .cpu_slots = 2,
            .slots_per_gpu = 1,
            .running_trials = std::move(running)};
  }

  // Runs `trial` to its end the way an agent would: started, two metric batches (the second
  // sent twice, as after a lost ack), ended. Returns the last sequence number used.
  static uint64_t run(FakeAgent& agent, int64_t trial, uint64_t seq) {
    agent.send(protocol::TrialStarted{.seq = ++seq, .trial_id = trial, .time_ms = 1});
    for (int step = 0; step < 2; ++step) {
      protocol::Metrics m{
          .seq = ++seq,
          .trial_id = trial,
          .points = {{.step = step, .name = "loss", .value = 1.0 / (step + 1), .time_ms = 2}}};
      agent.send(m);
      if (step == 1) agent.send(m);
    }
    agent.send(protocol::TrialEnded{.seq = ++seq,
                                    .trial_id = trial,
                                    .exit_code = 0,
                                    .signal = 0,
                                    .stopped = false,
                                    .stderr_tail = "",
                                    .time_ms = 3});
    return seq;
  }

  testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<Server> server_;
  zmq::context_t context_;
};

TEST_F(ServerTest, AFakeAgentRunsASweepEndToEnd) {
  start();
  EXPECT_GT(server_->http_port(), 0);
  FakeAgent agent(context_, server_->agent_endpoint());
  agent.send_raw("garbage first");  // dropped; the service goes on
  agent.send(hello());
  ASSERT_TRUE(agent.wait_for<protocol::Welcome>());
  auto sweep = submit(kGrid);

  uint64_t seq = 0;
  std::vector<std::vector<std::string>> argvs;
  for (int i = 0; i < 3; ++i) {
    auto assign = agent.wait_for<protocol::Assign>();
    ASSERT_TRUE(assign) << "assignment " << i;
    argvs.push_back(assign->argv);
    seq = run(agent, assign->trial_id, seq);
  }
  ASSERT_TRUE(wait_for_state(sweep, store::SweepState::kCompleted));
  // Every message acknowledged, cumulatively, up to the last.
  uint64_t acked = 0;
  while (acked < seq) {
    auto ack = agent.wait_for<protocol::Ack>();
    ASSERT_TRUE(ack) << "acknowledged up to " << acked << " of " << seq;
    EXPECT_GE(ack->seq, acked);
    acked = ack->seq;
  }
  EXPECT_THAT(argvs, ElementsAre(ElementsAre("prog", "--x=1"), ElementsAre("prog", "--x=2"),
                                 ElementsAre("prog", "--x=3")));
  auto reader = store::StoreReader::open(dir_.path() / "lab.db");
  ASSERT_TRUE(reader);
  auto trials = (*reader)->trials(sweep);
  ASSERT_TRUE(trials);
  ASSERT_THAT(*trials, SizeIs(3));
  for (const auto& t : *trials) {
    EXPECT_EQ(t.trial.status, store::TrialStatus::kCompleted);
    EXPECT_EQ(t.trial.attempts, 1);
    ASSERT_THAT(t.summaries, SizeIs(1));
    EXPECT_EQ(t.summaries[0].count, 2);  // the resent batch counted once
  }
  auto agents = server_->control().agents();
  ASSERT_THAT(agents, SizeIs(1));
  EXPECT_EQ(agents[0].name, "cpu01");
}

TEST_F(ServerTest, ARestartedServerReadoptsRunningTrialsAndFinishesTheSweep) {
  start();
  store::SweepId sweep;
  int64_t running = 0;
  {
    FakeAgent agent(context_, server_->agent_endpoint());
    agent.send(hello());
    ASSERT_TRUE(agent.wait_for<protocol::Welcome>());
    sweep = submit(std::string(kGrid) + "labsweep:\n  max_retries: 1\n");
    auto first = agent.wait_for<protocol::Assign>();
    auto second = agent.wait_for<protocol::Assign>();
    ASSERT_TRUE(first && second);
    run(agent, first->trial_id, 0);
    running = second->trial_id;
    ASSERT_TRUE(agent.wait_for<protocol::Assign>());  // the third, which the agent "loses"
    server_->request_stop();
    server_->wait();
    server_.reset();
  }
  start();
  FakeAgent agent(context_, server_->agent_endpoint());
  agent.send(hello({running}));
  ASSERT_TRUE(agent.wait_for<protocol::Welcome>());
  // The running trial is kept; the third, which the agent no longer runs, was pending in the
  // store or is re-placed, and comes again.
  // The agent keeps its heartbeats going meanwhile, so that it is not the one lost.
  std::optional<protocol::Assign> again;
  for (int i = 0; i < 100 && !again; ++i) {
    agent.send(protocol::Heartbeat{});
    again = agent.wait_for<protocol::Assign>(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(again);
  EXPECT_NE(again->trial_id, running);
  uint64_t seq = run(agent, again->trial_id, 0);
  run(agent, running, seq);
  ASSERT_TRUE(wait_for_state(sweep, store::SweepState::kCompleted));
}

TEST_F(ServerTest, ControlCallsFailOnceStopped) {
  start();
  server_->request_stop();
  server_->wait();
  auto result = server_->control().submit_sweep({.text = kGrid, .file_name = "grid.yaml"});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(server_->control().agents(), IsEmpty());
}

}  // namespace
}  // namespace labsweep::orchestrator
