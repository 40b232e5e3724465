// The agent end to end: a real ZeroMQ ROUTER in the test plays the orchestrator over ipc:// in a
// temporary directory, the real POSIX launcher runs small /bin/sh and Python trials, a fake
// inventory supplies GPUs, and a fake clock drives every deadline (heartbeats, the lost
// orchestrator, stop sequences, decision timeouts), so that nothing depends on real time but
// the trials' own I/O, which is waited for with bounded polling.

#include "agent/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <deque>
#include <fstream>
#include <numeric>
#include <zmq_addon.hpp>

#include "agent/posix_process_launcher.h"
#include "agent/running_state.h"
#include "agent/trial_environment.h"
#include "protocol/codec.h"
#include "tests/agent/trial_test_helpers.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::TempDir;
using std::chrono::milliseconds;
using testing::dies;
using ::testing::ElementsAre;
using testing::eventually;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::read_pid;
using testing::slurp;
using testing::unique_trial_id;

const std::filesystem::path kSourceDir =
    std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();

class FakeInventory final : public GpuInventory {
 public:
  Result<std::vector<GpuSample>> sample() override { return gpus; }
  std::string description() const override { return "fake GPUs"; }
  std::vector<GpuSample> gpus;
};

GpuSample gpu(int index) {
  GpuSample g;
  g.index = index;
  g.name = "Fake H100";
  g.memory_total_mb = 81559;
  return g;
}

class AgentTest : public ::testing::Test {
 protected:
  AgentTest() {
    inventory_.gpus = {gpu(0), gpu(1)};
    endpoint_ = "ipc://" + (dir_.path() / "orchestrator.sock").string();
    bind();
  }

  void bind() {
    router_ = std::make_unique<zmq::socket_t>(context_, zmq::socket_type::router);
    router_->set(zmq::sockopt::linger, 0);
    router_->bind(endpoint_);
  }

  // The orchestrator goes away. zmq_close returns before the I/O thread has closed the listener,
  // which may meanwhile take the agent's new connection and swallow its hello; terminating the
  // context waits until the listener is really gone.
  void unbind() {
    router_.reset();
    context_.close();
    context_ = zmq::context_t();
  }

  AgentOptions options() {
    AgentOptions o;
    o.server_endpoint = endpoint_;
    o.name = "node-a";
    o.work_dir = dir_.path() / "work";
    o.state_dir = dir_.path() / "state";
    o.cpu_slots = 2;
    o.link.hello_timeout = milliseconds(5000);
    // The tests move the clock in big steps; only the reconnect test lets the link be lost.
    o.link.missed_heartbeats = 1000;
    o.decision_timeout = milliseconds(10000);
    return o;
  }

  void start_agent(AgentOptions o) {
    Result<std::unique_ptr<Agent>> agent =
        Agent::create(std::move(o), clock_, launcher_, inventory_);
    ASSERT_TRUE(agent.is_ok()) << agent.status().message();
    agent_ = std::move(agent).value();
  }

  // Connects a started agent: its hello, then our welcome.
  protocol::Hello connect() {
    protocol::Hello hello = expect<protocol::Hello>();
    send(protocol::Welcome{milliseconds(1000)});
    turn_until([&] { return agent_->link().welcomed(); });  // before the test moves the clock
    return hello;
  }

  // Turns the agent's loop until the orchestrator has received a T (earlier messages of other
  // types are kept in skipped_). The real-time bound only guards against a hang.
  template <typename T>
  T expect() {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      while (!inbox_.empty()) {
        protocol::Message m = std::move(inbox_.front());
        inbox_.pop_front();
        if (auto* wanted = std::get_if<T>(&m)) return *wanted;
        skipped_.push_back(std::move(m));
      }
      agent_->run_once(milliseconds(5));
      receive();
    }
    ADD_FAILURE() << "no " << typeid(T).name() << " arrived";
    return T{};
  }

  // Turns the loop until `done` holds (bounded, as expect()).
  void turn_until(const std::function<bool()>& done) {
    EXPECT_TRUE(eventually([&] {
      agent_->run_once(milliseconds(5));
      receive();
      return done();
    }));
  }

  void receive() {
    std::vector<zmq::message_t> frames;
    while (router_ &&
           zmq::recv_multipart(*router_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      ASSERT_EQ(frames.size(), 2u);
      peer_ = frames[0].to_string();
      Result<protocol::Message> m = protocol::decode(frames[1].to_string_view());
      ASSERT_TRUE(m.is_ok()) << m.status().message();
      if (!std::holds_alternative<protocol::Heartbeat>(m.value())) {
        inbox_.push_back(m.value());
      } else {
        ++heartbeats_;
      }
      frames.clear();
    }
  }

  void send(const protocol::Message& m) { send_frame(protocol::encode(m)); }
  void send_frame(const std::string& frame) {
    router_->send(zmq::buffer(peer_), zmq::send_flags::sndmore);
    router_->send(zmq::buffer(frame), zmq::send_flags::none);
  }

  protocol::Assign assign(int k, std::vector<std::string> argv) {
    protocol::Assign a;
    a.trial_id = unique_trial_id(k);
    a.sweep_id = 3;
    a.argv = std::move(argv);
    a.env = {{"PYTHONPATH", (kSourceDir / "clients" / "python").string()}};
    a.params_json = R"({"lr": 0.5})";
    a.stop_grace = milliseconds(2000);
    a.kill_delay = milliseconds(1000);
    return a;
  }
  static std::vector<std::string> sh(std::string script) { return {"sh", "-c", std::move(script)}; }
  static std::vector<std::string> python(std::string code) {
    return {"python3", "-c", "import labsweep, sys\n" + std::move(code)};
  }

  // Every metric point the orchestrator received for a trial, in order.
  std::vector<protocol::MetricPoint> points_of(int64_t trial) const {
    std::vector<protocol::MetricPoint> points;
    for (const protocol::Message& m : skipped_) {
      if (auto* metrics = std::get_if<protocol::Metrics>(&m);
          metrics && metrics->trial_id == trial) {
        points.insert(points.end(), metrics->points.begin(), metrics->points.end());
      }
    }
    return points;
  }

  TempDir dir_;
  FakeClock clock_;
  PosixProcessLauncher launcher_;
  FakeInventory inventory_;
  zmq::context_t context_;
  std::string endpoint_;
  std::unique_ptr<zmq::socket_t> router_;
  std::string peer_;
  std::deque<protocol::Message> inbox_;
  std::vector<protocol::Message> skipped_;
  int heartbeats_ = 0;
  std::unique_ptr<Agent> agent_;  // destroyed first: it kills its trials
};

TEST_F(AgentTest, HelloDescribesTheMachine) {
  AgentOptions o = options();
  o.slots_per_gpu = 2;
  o.cpu_slots = 3;
  start_agent(o);
  protocol::Hello hello = expect<protocol::Hello>();
  EXPECT_EQ(hello.agent_name, "node-a");
  EXPECT_FALSE(hello.host.empty());
  ASSERT_EQ(hello.gpus.size(), 2u);
  EXPECT_EQ(hello.gpus[1].index, 1);
  EXPECT_EQ(hello.gpus[1].name, "Fake H100");
  EXPECT_EQ(hello.cpu_slots, 3);
  EXPECT_EQ(hello.slots_per_gpu, 2);
  EXPECT_THAT(hello.running_trials, IsEmpty());
}

TEST_F(AgentTest, HeartbeatsAtTheWelcomesIntervalWithGpuStates) {
  start_agent(options());
  connect();
  agent_->run_once(milliseconds(5));
  receive();
  int before = heartbeats_;
  clock_.advance(milliseconds(999));
  agent_->run_once(milliseconds(5));
  receive();
  EXPECT_EQ(heartbeats_, before);
  clock_.advance(milliseconds(1));
  turn_until([&] { return heartbeats_ > before; });
}

TEST_F(AgentTest, ATrialRunsReportsMetricsAndEndsWithItsExitCodeAndStderr) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(1, python(R"(
labsweep.report(0, loss=1.5)
labsweep.report(1, loss=1.0, acc=0.5)
print("line one", file=sys.stderr)
print("crashed", file=sys.stderr)
sys.exit(3))"));
  a.gpus = {1};
  send(a);
  protocol::TrialStarted started = expect<protocol::TrialStarted>();
  EXPECT_EQ(started.trial_id, a.trial_id);
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, a.trial_id);
  EXPECT_EQ(ended.exit_code, 3);
  EXPECT_EQ(ended.signal, 0);
  EXPECT_FALSE(ended.stopped);
  EXPECT_EQ(ended.stderr_tail, "line one\ncrashed\n");
  std::vector<protocol::MetricPoint> points = points_of(a.trial_id);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].step, 0);
  EXPECT_EQ(points[0].name, "loss");
  EXPECT_EQ(points[0].value, 1.5);
  EXPECT_EQ(points[0].time_ms, clock_.wall_ms());
  EXPECT_EQ(points[2].name, "acc");
  EXPECT_GT(ended.seq, started.seq);
  EXPECT_THAT(agent_->running_trials(), IsEmpty());
  EXPECT_EQ(agent_->outbox().unacked(), 3u);
  send(protocol::Ack{ended.seq});
  turn_until([&] { return agent_->outbox().unacked() == 0; });
}

TEST_F(AgentTest, AnAssignThatCannotBePlacedEndsAtOnceWithTheReason) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(2, sh("true"));
  a.gpus = {5};
  send(a);
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.exit_code, -1);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("GPU 5"));
  EXPECT_EQ(agent_->counters().trials_refused, 1u);

  protocol::Assign missing = assign(3, {"/no/such/trainer"});
  send(missing);
  ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, missing.trial_id);
  EXPECT_EQ(ended.exit_code, -1);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("cannot start '/no/such/trainer'"));
}

// After the agent rejoins, the orchestrator stops a trial it re-placed elsewhere and counts its
// slot free at once; the Assign it sends for that slot waits for the stopped trial's end
// instead of failing with "GPU 0 has no free slot".
TEST_F(AgentTest, AnAssignForTheSlotOfAStoppingTrialStartsWhenThatTrialHasEnded) {
  start_agent(options());
  connect();
  protocol::Assign old = assign(40, sh("while :; do sleep 0.01; done"));
  old.gpus = {0};
  send(old);
  expect<protocol::TrialStarted>();
  send(protocol::Stop{old.trial_id, "re-placed elsewhere"});
  protocol::Assign next = assign(41, sh("exit 0"));
  next.gpus = {0};
  send(next);
  turn_until([&] { return agent_->counters().assigns_waited == 1; });
  EXPECT_EQ(agent_->counters().trials_refused, 0u);
  EXPECT_THAT(agent_->running_trials(), ElementsAre(old.trial_id));
  clock_.advance(milliseconds(2000));  // the grace period: SIGTERM ends the loop
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, old.trial_id);
  EXPECT_TRUE(ended.stopped);
  EXPECT_EQ(expect<protocol::TrialStarted>().trial_id, next.trial_id);
  ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, next.trial_id);
  EXPECT_EQ(ended.exit_code, 0);
  EXPECT_EQ(agent_->counters().trials_refused, 0u);
}

TEST_F(AgentTest, AnAssignForTheSlotOfARunningTrialIsRefusedAtOnce) {
  start_agent(options());
  connect();
  protocol::Assign running = assign(42, sh("while :; do sleep 0.01; done"));
  running.gpus = {1};
  send(running);
  expect<protocol::TrialStarted>();
  protocol::Assign clash = assign(43, sh("exit 0"));
  clash.gpus = {1};
  send(clash);
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, clash.trial_id);
  EXPECT_EQ(ended.exit_code, -1);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("GPU 1 has no free slot"));
  EXPECT_EQ(agent_->counters().assigns_waited, 0u);
}

TEST_F(AgentTest, AWaitingAssignThatIsStoppedEndsWithoutRunning) {
  start_agent(options());
  connect();
  protocol::Assign old = assign(44, sh("while :; do sleep 0.01; done"));
  old.gpus = {0};
  send(old);
  expect<protocol::TrialStarted>();
  send(protocol::Stop{old.trial_id, "re-placed elsewhere"});
  protocol::Assign next = assign(45, sh("echo ran > ran; exit 0"));
  next.gpus = {0};
  send(next);
  turn_until([&] { return agent_->counters().assigns_waited == 1; });
  send(protocol::Stop{next.trial_id, "by user"});
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, next.trial_id);
  EXPECT_EQ(ended.exit_code, -1);
  EXPECT_TRUE(ended.stopped);
  clock_.advance(milliseconds(2000));
  EXPECT_EQ(expect<protocol::TrialEnded>().trial_id, old.trial_id);
  for (int i = 0; i < 10; ++i) agent_->run_once(milliseconds(1));
  EXPECT_EQ(agent_->counters().trials_started, 1u);  // the stopped Assign never ran
}

TEST_F(AgentTest, StopIsCooperativeFirst) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(4, python(R"(
import time
labsweep.report(0, loss=1.0)
while not labsweep.should_stop():
    time.sleep(0.01)
print("saw", labsweep.stop_reason(), file=sys.stderr))"));
  send(a);
  expect<protocol::TrialStarted>();
  // The notice goes to the connections open now and first to every later one.
  send(protocol::Stop{a.trial_id, "by user"});
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_TRUE(ended.stopped);
  EXPECT_EQ(ended.exit_code, 0);
  EXPECT_EQ(ended.stderr_tail, "saw by user\n");
  EXPECT_EQ(points_of(a.trial_id).size(), 1u);  // flushed when it ended
}

TEST_F(AgentTest, StopEscalatesToTermAndKillOnTheClock) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(5, sh("trap 'echo term >&2' TERM; echo $$ > pid; "
                                    "while :; do sleep 0.01; done"));
  send(a);
  expect<protocol::TrialStarted>();
  std::filesystem::path dir = agent_->trial_dir(a.trial_id).value();
  int pid = read_pid(dir / "pid");
  send(protocol::Stop{a.trial_id, "early stopping"});
  turn_until([&] { return agent_->counters().stops == 1; });
  clock_.advance(milliseconds(2000));  // the grace period: SIGTERM, which it traps
  // sh may also say that its sleep was "Terminated".
  turn_until([&] { return slurp(dir / "stderr.log").find("term\n") != std::string::npos; });
  EXPECT_TRUE(testing::alive(pid));
  clock_.advance(milliseconds(1000));  // the kill delay: SIGKILL
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_TRUE(ended.stopped);
  EXPECT_EQ(ended.signal, SIGKILL);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("term\n"));
  EXPECT_TRUE(dies(pid));
}

TEST_F(AgentTest, AQueryGetsTheOrchestratorsDecisionAfterItsReports) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(6, python(R"(
labsweep.report(0, loss=2.0)
print(labsweep.should_stop(wait=True), labsweep.stop_reason()))"));
  send(a);
  protocol::Decide decide = expect<protocol::Decide>();
  EXPECT_EQ(decide.trial_id, a.trial_id);
  EXPECT_EQ(decide.step, 0);
  // The report was flushed ahead of the query.
  EXPECT_EQ(points_of(a.trial_id).size(), 1u);
  send(protocol::Decision{decide.query, a.trial_id, 0, true, "median rule"});
  expect<protocol::TrialEnded>();
  EXPECT_EQ(slurp(dir_.path() / "work" / "trials" / std::to_string(a.trial_id) / "stdout.log"),
            "True median rule\n");
}

TEST_F(AgentTest, AQueryIsAnsweredContinueWhenNoDecisionComesInTime) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(7, python(R"(
labsweep.report(4, loss=2.0)
print(labsweep.should_stop(wait=True)))"));
  send(a);
  expect<protocol::Decide>();
  clock_.advance(milliseconds(9999));
  agent_->run_once(milliseconds(5));
  EXPECT_EQ(agent_->counters().decisions_timed_out, 0u);
  clock_.advance(milliseconds(1));
  expect<protocol::TrialEnded>();
  EXPECT_EQ(agent_->counters().decisions_timed_out, 1u);
  EXPECT_EQ(slurp(dir_.path() / "work" / "trials" / std::to_string(a.trial_id) / "stdout.log"),
            "False\n");
}

TEST_F(AgentTest, StdoutMetricsFollowTheRegex) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(8, sh("echo 'step=3 loss=0.25'; echo noise"));
  a.stdout_regex = R"(step=\d+ (\w+)=([0-9.]+))";
  send(a);
  expect<protocol::TrialEnded>();
  std::vector<protocol::MetricPoint> points = points_of(a.trial_id);
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].name, "loss");
  EXPECT_EQ(points[0].value, 0.25);
}

TEST_F(AgentTest, UnackedMessagesAreResentAfterTheOrchestratorComesBack) {
  AgentOptions o = options();
  o.link.missed_heartbeats = 3;
  start_agent(o);
  connect();
  protocol::Assign a = assign(9, sh("echo $$ > pid; exec sleep 300"));
  send(a);
  protocol::TrialStarted started = expect<protocol::TrialStarted>();
  std::string first_peer = peer_;

  unbind();  // the orchestrator goes away
  clock_.advance(milliseconds(2999));
  agent_->run_once(milliseconds(5));
  EXPECT_EQ(agent_->link().connections(), 1u);
  clock_.advance(milliseconds(1));  // three heartbeat intervals of silence
  agent_->run_once(milliseconds(5));
  EXPECT_EQ(agent_->link().connections(), 2u);

  bind();  // back, at the same endpoint, knowing nothing
  protocol::Hello hello = connect();
  EXPECT_NE(peer_, first_peer);                                // a new DEALER
  EXPECT_THAT(hello.running_trials, ElementsAre(a.trial_id));  // to be re-adopted
  protocol::TrialStarted again = expect<protocol::TrialStarted>();
  EXPECT_EQ(again, started);
  send(protocol::Ack{again.seq});
  turn_until([&] { return agent_->outbox().unacked() == 0; });

  send(protocol::Stop{a.trial_id, "done"});
  turn_until([&] { return agent_->counters().stops == 1; });
  clock_.advance(milliseconds(2000));  // the grace period; sleep dies of SIGTERM
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_TRUE(ended.stopped);
}

TEST_F(AgentTest, MetricsWhileTheOrchestratorIsAwayWaitOnDiskAndArriveOnceInOrder) {
  AgentOptions o = options();
  o.link.missed_heartbeats = 3;
  o.metric_batch_points = 1;    // one message per point
  o.outbox_memory_bytes = 256;  // a few messages; the rest spill
  start_agent(o);
  connect();
  protocol::Assign a = assign(14, python(R"(
import os, time
while not os.path.exists("go"):
    time.sleep(0.01)
for i in range(40):
    labsweep.report(i, loss=float(i)))"));
  send(a);
  expect<protocol::TrialStarted>();
  unbind();  // the orchestrator goes away; the trial reports meanwhile
  std::filesystem::path dir = agent_->trial_dir(a.trial_id).value();
  std::ofstream(dir / "go") << "";
  turn_until([&] { return agent_->running_trials().empty(); });
  EXPECT_GT(agent_->outbox().spilled(), 0u);
  EXPECT_LE(agent_->outbox().memory_bytes(), 256u);

  bind();
  clock_.advance(milliseconds(3000));
  connect();
  std::vector<int64_t> steps;
  bool ended = false;
  turn_until([&] {
    while (!inbox_.empty()) {
      protocol::Message m = std::move(inbox_.front());
      inbox_.pop_front();
      if (auto* metrics = std::get_if<protocol::Metrics>(&m)) {
        for (const protocol::MetricPoint& p : metrics->points) steps.push_back(p.step);
        send(protocol::Ack{metrics->seq});
      } else if (auto* e = std::get_if<protocol::TrialEnded>(&m)) {
        ended = true;
        send(protocol::Ack{e->seq});
      } else if (auto* started = std::get_if<protocol::TrialStarted>(&m)) {
        send(protocol::Ack{started->seq});
      }
    }
    return ended && agent_->outbox().unacked() == 0;
  });
  std::vector<int64_t> expected(40);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(steps, expected);
}

TEST_F(AgentTest, MalformedFramesAreDroppedAndTheAgentCarriesOn) {
  start_agent(options());
  connect();
  send_frame("not msgpack at all");
  send_frame(std::string("\x81\xa1v\x63", 4));  // {"v": 99}
  protocol::Assign a = assign(10, sh("exit 0"));
  send(a);
  expect<protocol::TrialEnded>();
  EXPECT_EQ(agent_->link().dropped_frames(), 2u);
}

TEST_F(AgentTest, NoProcessOfATrialSurvivesIt) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(11, sh("setsid sh -c 'echo $$ > daemon; exec sleep 300' & "
                                     "sleep 300 & echo $! > child; exit 0"));
  send(a);
  expect<protocol::TrialStarted>();
  std::filesystem::path dir = agent_->trial_dir(a.trial_id).value_or("");
  int daemon = read_pid(dir / "daemon");
  int child = read_pid(dir / "child");
  expect<protocol::TrialEnded>();
  EXPECT_TRUE(dies(daemon));
  EXPECT_TRUE(dies(child));
}

TEST_F(AgentTest, ARestartedAgentEndsAndReportsWhatThePreviousRunLeft) {
  // What a crashed agent leaves: a trial still running and its entry in running.json.
  int64_t id = unique_trial_id(12);
  std::filesystem::path trial_dir = dir_.path() / "left";
  std::filesystem::create_directories(trial_dir);
  std::unique_ptr<Process> left =
      launcher_
          .launch({sh("echo dying words >&2; exec sleep 300"),
                   {{"PATH", "/usr/bin:/bin"}, {"LABSWEEP_TRIAL_DIR", trial_dir.string()}},
                   trial_dir,
                   trial_dir / "stdout.log",
                   trial_dir / "stderr.log",
                   trial_marker(trial_dir)})
          .value();
  ASSERT_TRUE(eventually([&] { return slurp(trial_dir / "stderr.log") == "dying words\n"; }));
  std::filesystem::create_directories(dir_.path() / "state");
  RunningState state(dir_.path() / "state" / "running.json");
  ASSERT_TRUE(state
                  .add({id, left->pid(), left->pid(), process_start_time(left->pid()).value(),
                        trial_dir, ""})
                  .is_ok());

  start_agent(options());
  EXPECT_EQ(agent_->counters().leftovers_ended, 1u);
  std::optional<ExitStatus> status;
  EXPECT_TRUE(eventually([&] { return (status = left->poll()).has_value(); }));
  EXPECT_EQ(status->signal, SIGKILL);
  protocol::Hello hello = connect();
  EXPECT_THAT(hello.running_trials, IsEmpty());
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_EQ(ended.trial_id, id);
  EXPECT_EQ(ended.signal, SIGKILL);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("dying words\n"));
  EXPECT_THAT(ended.stderr_tail, HasSubstr("the agent restarted"));
  EXPECT_THAT(RunningState(dir_.path() / "state" / "running.json").load().value(), IsEmpty());
}

TEST_F(AgentTest, AMalformedEndpointFailsAtCreation) {
  AgentOptions o = options();
  o.server_endpoint = "nonsense://here";
  Result<std::unique_ptr<Agent>> agent = Agent::create(o, clock_, launcher_, inventory_);
  ASSERT_FALSE(agent.is_ok());
  EXPECT_THAT(agent.status().message(), HasSubstr("cannot connect to nonsense://here"));
}

TEST_F(AgentTest, OneAgentPerStateDirectory) {
  start_agent(options());
  Result<std::unique_ptr<Agent>> second = Agent::create(options(), clock_, launcher_, inventory_);
  ASSERT_FALSE(second.is_ok());
  EXPECT_THAT(second.status().message(), HasSubstr("another agent"));
}

TEST_F(AgentTest, TheDemoTrialStopsWhenTheDecisionSaysSo) {
  start_agent(options());
  connect();
  protocol::Assign a =
      assign(13, {"python3", (kSourceDir / "tests/agent/trials/demo_trial.py").string()});
  send(a);
  protocol::Decide first = expect<protocol::Decide>();
  send(protocol::Decision{first.query, a.trial_id, first.step, false, ""});
  protocol::Decide second = expect<protocol::Decide>();
  EXPECT_EQ(second.step, 1);
  send(protocol::Decision{second.query, a.trial_id, 1, true, "asha"});
  send(protocol::Stop{a.trial_id, "asha"});
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();
  EXPECT_TRUE(ended.stopped);
  EXPECT_EQ(ended.exit_code, 0);
  EXPECT_THAT(ended.stderr_tail, HasSubstr("stopped at step 1: asha"));
  EXPECT_EQ(points_of(a.trial_id).size(), 4u);  // loss and lr at steps 0 and 1
}

// Trial output (docs/agent.md, "Trial output"): looked at once per interval on the agent's
// clock, sent without a sequence number, and the rest sent before the trial's end.
TEST_F(AgentTest, ATrialsOutputGoesOutAsItGrowsAndTheRestBeforeItsEnd) {
  start_agent(options());
  connect();
  protocol::Assign a = assign(
      40, sh("echo first; echo oops >&2; while [ ! -e go ]; do sleep 0.01; done; echo last"));
  send(a);
  expect<protocol::TrialStarted>();
  std::filesystem::path dir = *agent_->trial_dir(a.trial_id);
  turn_until([&] {
    return slurp(dir / "stdout.log") == "first\n" && slurp(dir / "stderr.log") == "oops\n";
  });
  clock_.advance(milliseconds(1000));
  protocol::TrialOutput out = expect<protocol::TrialOutput>();
  protocol::TrialOutput err = expect<protocol::TrialOutput>();
  if (out.stream != protocol::TrialOutput::Stream::kStdout) std::swap(out, err);
  EXPECT_EQ(out, (protocol::TrialOutput{a.trial_id, protocol::TrialOutput::Stream::kStdout, 0,
                                        "first\n"}));
  EXPECT_EQ(err, (protocol::TrialOutput{a.trial_id, protocol::TrialOutput::Stream::kStderr, 0,
                                        "oops\n"}));
  std::ofstream(dir / "go").flush();
  protocol::TrialEnded ended = expect<protocol::TrialEnded>();  // no clock moved: at the end
  auto last = std::find_if(skipped_.begin(), skipped_.end(), [](const protocol::Message& m) {
    const auto* o = std::get_if<protocol::TrialOutput>(&m);
    return o && o->offset == 6 && o->data == "last\n";
  });
  EXPECT_NE(last, skipped_.end()) << "the last line was not sent before the end";
  EXPECT_EQ(ended.stderr_tail, "oops\n");
}

TEST_F(AgentTest, RequestStopEndsRunFromAnotherThread) {
  start_agent(options());
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(50));
    agent_->request_stop();
  });
  agent_->run();  // returns: the test would hang otherwise
  stopper.join();
}

}  // namespace
}  // namespace labsweep::agent
