// Agents authenticate with CURVE (docs/security.md): the real `labsweep` binary as server and
// agents, key directories made with `labsweep keys`, on loopback with CURVE forced and over a
// real non-loopback link between two network namespaces.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "tests/integration/lab.h"
#include "tests/integration/netns_link.h"
#include "tests/support/subprocess.h"

namespace labsweep::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

ProcessResult labsweep(std::vector<std::string> args) {
  args.insert(args.begin(), built_binary("labsweep"));
  return run_process(args);
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A lab whose server demands CURVE (on loopback too) with keys made by `labsweep keys init`.
class AgentAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ProcessResult init = labsweep({"keys", "init", "--key-dir", server_keys()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    lab_.set_server_args({"--key-dir", server_keys(), "--curve-on-loopback"});
  }

  std::string server_keys() const { return (lab_.dir() / "server-keys").string(); }
  std::string agent_keys(const std::string& name) const {
    return (lab_.dir() / ("keys-" + name)).string();
  }

  // Makes the agent's key pair with `labsweep agent keygen`; its public key.
  std::string keygen(const std::string& name) {
    ProcessResult made = labsweep({"agent", "keygen", "--key-dir", agent_keys(name)});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return trimmed(made.out);
  }

  void authorize(const std::string& key, const std::string& name) {
    ProcessResult done =
        labsweep({"keys", "authorize", "--name", name, "--key-dir", server_keys(), "--", key});
    ASSERT_EQ(done.exit_code, 0) << done.err;
  }

  BackgroundProcess& start_curve_agent(const std::string& name,
                                       std::vector<std::string> wrapper = {}) {
    return lab_.start_agent(name,
                            {"--key-dir", agent_keys(name), "--server-key-file",
                             server_keys() + "/server.pub", "--cpu-slots", "2"},
                            std::move(wrapper));
  }

  // The agent called `name` in GET /agents, or null.
  nlohmann::json agent_entry(const std::string& name) {
    auto answer = lab_.api().get("/agents");
    if (!answer.is_ok()) return nullptr;
    for (const auto& agent : (*answer)["agents"])
      if (agent["name"] == name) return agent;
    return nullptr;
  }

  // Polls until the agent's state is `state`.
  bool wait_for_agent_state(const std::string& name, const std::string& state,
                            seconds timeout = seconds(20)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      nlohmann::json agent = agent_entry(name);
      if (!agent.is_null() && agent["state"] == state) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }

  int64_t submit_two_trials() {
    return lab_.submit(
        "method: grid\n"
        "metric: {name: loss, goal: minimize}\n"
        "command: [python3, '" +
        Lab::trial_program() +
        "', '${args}']\n"
        "parameters:\n"
        "  x: {values: [1, 2]}\n"
        "  steps: {value: 3}\n"
        "  log: {value: " +
        lab_.trial_log() +
        "}\n"
        "labsweep:\n"
        "  resources: {gpus: 0}\n");
  }

  Lab lab_;
};

TEST_F(AgentAuthTest, AnAuthorisedAgentJoinsAndRunsTrials) {
  authorize(keygen("gpu-a"), "gpu-a");
  ASSERT_NO_FATAL_FAILURE(lab_.start_server());
  BackgroundProcess& agent = start_curve_agent("gpu-a");
  int64_t sweep = submit_two_trials();
  nlohmann::json done = lab_.wait_for_sweep(sweep, "completed", seconds(30));
  EXPECT_EQ(done["counts"]["completed"], 2) << agent.err();
  EXPECT_THAT(agent.err(), HasSubstr("over CURVE"));
}

TEST_F(AgentAuthTest, UnknownKeysAndPlaintextAgentsAreRefusedAndLogged) {
  authorize(keygen("gpu-a"), "gpu-a");
  std::string stranger_key = keygen("stranger");
  ASSERT_NO_FATAL_FAILURE(lab_.start_server());
  start_curve_agent("stranger");
  // Without the server's key an agent may talk plaintext on loopback, which this server refuses.
  BackgroundProcess& plain = lab_.start_agent("plain", {"--key-dir", agent_keys("plain")});
  EXPECT_TRUE(lab_.server().wait_for_err("key " + stranger_key + " is not authorised", seconds(20)))
      << lab_.server().err();
  EXPECT_TRUE(lab_.server().wait_for_err("failed the handshake before authentication", seconds(20)))
      << lab_.server().err();
  EXPECT_THAT(plain.err(), HasSubstr("in plaintext"));
  // Neither ever joined: the server knows no agent at all.
  auto agents = lab_.api().get("/agents");
  ASSERT_TRUE(agents.is_ok());
  EXPECT_TRUE((*agents)["agents"].empty()) << agents->dump();
}

TEST_F(AgentAuthTest, RevokingAConnectedAgentsKeyCutsItOffAndKeepsItOut) {
  std::string key = keygen("gpu-a");
  authorize(key, "gpu-a");
  ASSERT_NO_FATAL_FAILURE(lab_.start_server());
  start_curve_agent("gpu-a");
  ASSERT_TRUE(wait_for_agent_state("gpu-a", "online")) << lab_.server().err();

  ProcessResult revoked = labsweep({"keys", "revoke", "gpu-a", "--key-dir", server_keys()});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_THAT(revoked.out, HasSubstr("revoked gpu-a"));

  EXPECT_TRUE(wait_for_agent_state("gpu-a", "lost")) << lab_.server().err();
  EXPECT_THAT(lab_.server().err(), HasSubstr("cut off an agent connection: its key " + key));
  // The agent, hearing nothing, connects again, and the revoked key is refused.
  EXPECT_TRUE(lab_.server().wait_for_err("key " + key + " is not authorised", seconds(20)))
      << lab_.server().err();
  EXPECT_EQ(agent_entry("gpu-a")["state"], "lost");
}

TEST_F(AgentAuthTest, KeysLsListsWhatAuthorizeAddedAndRefusesMalformedKeys) {
  std::string key = keygen("gpu-a");
  authorize(key, "gpu-a");
  ProcessResult listed = labsweep({"keys", "ls", "--key-dir", server_keys()});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("gpu-a"));
  EXPECT_THAT(listed.out, HasSubstr(key));
  ProcessResult bad = labsweep(
      {"keys", "authorize", "--name", "x", "--key-dir", server_keys(), "--", key.substr(1)});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("a CURVE key is 40 Z85 characters, this one has 39"));
  ProcessResult again = labsweep({"keys", "init", "--key-dir", server_keys()});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
}

TEST_F(AgentAuthTest, TheServerRefusesToStartOffLoopbackWithoutAKeyPairOrWithAnOpenOne) {
  ProcessResult no_keys =
      labsweep({"server", "--db", (lab_.dir() / "x.db").string(), "--agents", "tcp://0.0.0.0:0",
                "--http-port", "0", "--key-dir", (lab_.dir() / "nothing").string()});
  EXPECT_EQ(no_keys.exit_code, 1);
  EXPECT_THAT(no_keys.err, HasSubstr("must authenticate with CURVE"));
  EXPECT_THAT(no_keys.err, HasSubstr("run `labsweep keys init`"));

  ASSERT_EQ(::chmod((server_keys() + "/server.key").c_str(), 0640), 0);
  ProcessResult open_key =
      labsweep({"server", "--db", (lab_.dir() / "x.db").string(), "--agents", "tcp://0.0.0.0:0",
                "--http-port", "0", "--key-dir", server_keys()});
  EXPECT_EQ(open_key.exit_code, 1);
  EXPECT_THAT(open_key.err, HasSubstr("server.key: group or others may access it (mode 0640)"));
}

TEST_F(AgentAuthTest, AnAgentRefusesPlaintextToANonLoopbackServer) {
  ProcessResult plain =
      labsweep({"agent", "--server", "tcp://10.255.255.1:5555", "--key-dir", agent_keys("plain"),
                "--work-dir", (lab_.dir() / "w").string(), "--allow-root"});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_THAT(plain.err, HasSubstr("is not loopback: the agent connects to it only with CURVE"));
}

TEST_F(AgentAuthTest, AnAgentInAnotherNetworkNamespaceJoinsOverCurveAndAPlaintextOneIsRefused) {
  NetnsLink link;
  if (!link.ok()) GTEST_SKIP() << link.why();

  authorize(keygen("remote"), "remote");
  lab_.set_agent_host(link.here());
  lab_.set_server_args({"--key-dir", server_keys()});  // not loopback: CURVE without being told
  ASSERT_NO_FATAL_FAILURE(lab_.start_server());
  BackgroundProcess& agent = start_curve_agent("remote", link.exec_there());
  int64_t sweep = submit_two_trials();
  nlohmann::json done = lab_.wait_for_sweep(sweep, "completed", seconds(30));
  EXPECT_EQ(done["counts"]["completed"], 2) << agent.err();

  // A plaintext client from the other namespace: the agent itself will not, so a raw one.
  ProcessResult python = run_process(
      {"/usr/sbin/ip", "netns", "exec", link.exec_there()[3], "python3", "-c",
       "import socket,time\n"
       "s=socket.create_connection(('" +
           link.here() + "'," + lab_.agent_endpoint().substr(lab_.agent_endpoint().rfind(':') + 1) +
           "))\n"
           // A ZMTP 3.0 greeting with the NULL mechanism, as a plaintext ZeroMQ peer sends it.
           "s.sendall(b'\\xff'+b'\\x00'*8+b'\\x7f\\x03\\x00NULL'+b'\\x00'*16+b'\\x00'+b'\\x00'*31)"
           "\n"
           "time.sleep(0.5)\n"});
  EXPECT_EQ(python.exit_code, 0) << python.err;
  EXPECT_TRUE(lab_.server().wait_for_err("failed the handshake before authentication", seconds(10)))
      << lab_.server().err();
}

}  // namespace
}  // namespace labsweep::testing
