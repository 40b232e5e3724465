// `labsweep agent install` and `uninstall` against a temporary root directory, with a fake
// service manager that records the systemctl calls instead of making them.

#include "cli/agent_install.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "protocol/curve_keys.h"
#include "tests/support/temp_dir.h"

namespace labsweep::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class FakeServiceManager final : public ServiceManager {
 public:
  bool running() const override { return running_; }
  Status systemctl(const std::vector<std::string>& args) override {
    calls.push_back(args);
    return fail_next.is_ok() ? Status::ok() : std::exchange(fail_next, Status::ok());
  }

  bool running_ = true;
  Status fail_next;
  std::vector<std::vector<std::string>> calls;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

uid_t owner_of(const fs::path& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_uid;
}

class AgentInstallTest : public ::testing::Test {
 protected:
  AgentInstallTest() : server_key_(protocol::generate_key_pair()->public_key) {}

  // Runs `labsweep agent ARGS...` with install and uninstall only; its exit status.
  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    CLI::App app{"test"};
    CLI::App* agent = app.add_subcommand("agent");
    std::function<int()> action;
    add_agent_service_commands(*agent, action, services_, out_, err_, root_.path());
    args.insert(args.begin(), {"labsweep", "agent"});
    std::vector<const char*> argv;
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    return action ? action() : -1;
  }

  std::vector<std::string> install_args() {
    return {"install",
            "--root",
            root_.path().string(),
            "--server",
            "tcp://head:5555",
            "--server-key",
            server_key_,
            "--gpus",
            "0,2",
            "--cpu-slots",
            "2",
            "--no-cgroups",
            "--name",
            "gpu-01",
            "--service-user",
            "nobody"};
  }

  fs::path etc() const { return root_.path() / "etc" / "labsweep"; }
  fs::path keys() const { return etc() / "keys"; }
  std::string agent_public_key() const {
    std::string key = slurp(keys() / "agent.pub");
    return key.substr(0, key.find('\n'));
  }
  // Trials run as nobody in these tests only when they run as root (the owner changes).
  bool as_root() const { return ::geteuid() == 0; }

  testing::TempDir root_;
  std::string server_key_;
  std::shared_ptr<FakeServiceManager> services_ = std::make_shared<FakeServiceManager>();
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AgentInstallTest, WritesTheConfigurationAndKeysThenStartsTheService) {
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  EXPECT_EQ(slurp(etc() / "agent.yaml"),
            "# labsweep agent's settings, written by `labsweep agent install`. Every option of\n"
            "# `labsweep agent --help` may be set here: its long name without the dashes, then "
            "its\n"
            "# value. The labsweep-agent service reads this file (docs/deployment.md).\n"
            "server: tcp://head:5555\n"
            "name: gpu-01\n"
            "gpus: 0,2\n"
            "cpu-slots: 2\n"
            "no-cgroups: true\n"
            "key-dir: /etc/labsweep/keys\n"
            "work-dir: /var/lib/labsweep/agent\n");
  EXPECT_EQ(slurp(keys() / "server.pub"), server_key_ + "\n");
  EXPECT_EQ(mode_of(etc()), 0750u);
  EXPECT_EQ(mode_of(etc() / "agent.yaml"), 0640u);
  EXPECT_EQ(mode_of(keys()), 0700u);
  EXPECT_EQ(mode_of(keys() / "agent.key"), 0600u);
  EXPECT_EQ(mode_of(keys() / "agent.pub"), 0644u);
  EXPECT_EQ(mode_of(keys() / "server.pub"), 0644u);
  if (as_root()) {  // the service's user gets the keys, its group the configuration
    for (const char* name : {"", "agent.key", "agent.pub", "server.pub"})
      EXPECT_EQ(owner_of(keys() / name), 65534u) << name;
    EXPECT_EQ(owner_of(etc() / "agent.yaml"), 0u);
  }
  EXPECT_THAT(services_->calls, ElementsAre(ElementsAre("daemon-reload"),
                                            ElementsAre("enable", "labsweep-agent.service"),
                                            ElementsAre("restart", "labsweep-agent.service")));
  std::string key = agent_public_key();
  EXPECT_EQ(
      out_.str(),
      "Wrote " + (etc() / "agent.yaml").string() +
          ".\n"
          "Made this agent's key pair, " +
          (keys() / "agent.key").string() +
          ".\n"
          "Enabled and started labsweep-agent.service (systemctl status labsweep-agent).\n"
          "\n"
          "This agent's public key is\n  " +
          key +
          "\nAuthorise it on the head node with\n  labsweep keys authorize --name gpu-01 -- '" +
          key + "'\n");
}

TEST_F(AgentInstallTest, InstallingAgainChangesNothingButRestartsTheService) {
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  std::string config = slurp(etc() / "agent.yaml");
  std::string pair = slurp(keys() / "agent.key");
  services_->calls.clear();
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  EXPECT_EQ(slurp(etc() / "agent.yaml"), config);
  EXPECT_EQ(slurp(keys() / "agent.key"), pair);
  EXPECT_THAT(out_.str(), HasSubstr("Kept this agent's key pair"));
  EXPECT_EQ(services_->calls.size(), 3u);
}

TEST_F(AgentInstallTest, WithoutOptionsItUsesTheConfigurationThatIsThere) {
  EXPECT_EQ(run({"install", "--root", root_.path().string(), "--service-user", "nobody"}), 1);
  EXPECT_EQ(err_.str(), "labsweep: error: no " + (etc() / "agent.yaml").string() +
                            " yet: pass --server tcp://HEAD:5555 and the agent's other options\n");
  fs::create_directories(keys());
  std::ofstream(etc() / "agent.yaml") << "server: tcp://head:5555\nname: prepared\n";
  std::ofstream(keys() / "server.pub") << server_key_ << "\n";
  ASSERT_EQ(run({"install", "--root", root_.path().string(), "--service-user", "nobody"}), 0)
      << err_.str();
  EXPECT_EQ(slurp(etc() / "agent.yaml"), "server: tcp://head:5555\nname: prepared\n");
  EXPECT_THAT(out_.str(), Not(HasSubstr("Wrote")));
  EXPECT_THAT(out_.str(), HasSubstr("labsweep keys authorize --name prepared -- '"));
  EXPECT_EQ(services_->calls.size(), 3u);
}

TEST_F(AgentInstallTest, AMalformedConfigurationIsReportedAndNothingStarts) {
  fs::create_directories(etc());
  std::ofstream(etc() / "agent.yaml") << "server: tcp://head:5555\ncpu-slot: 2\n";
  EXPECT_EQ(run({"install", "--root", root_.path().string(), "--service-user", "nobody"}), 1);
  EXPECT_THAT(err_.str(), HasSubstr("agent.yaml:2:11: unknown option 'cpu-slot' (did you mean "
                                    "'cpu-slots'?)"));
  EXPECT_THAT(services_->calls, IsEmpty());
}

TEST_F(AgentInstallTest, AServerOffLoopbackNeedsItsPublicKey) {
  EXPECT_EQ(run({"install", "--root", root_.path().string(), "--server", "tcp://head:5555",
                 "--service-user", "nobody"}),
            1);
  EXPECT_EQ(err_.str(),
            "labsweep: error: tcp://head:5555 is not loopback, so the agent needs the server's "
            "public key: pass --server-key KEY or --server-key-file FILE (the head node's "
            "/etc/labsweep/keys/server.pub)\n");
  EXPECT_THAT(services_->calls, IsEmpty());
  EXPECT_EQ(run({"install", "--root", root_.path().string(), "--server", "tcp://head:5555",
                 "--server-key", "not-a-key", "--service-user", "nobody"}),
            1);
  EXPECT_THAT(err_.str(), HasSubstr("--server-key"));
  // On loopback the agent may talk plaintext.
  EXPECT_EQ(run({"install", "--root", root_.path().string(), "--server", "tcp://127.0.0.1:5555",
                 "--service-user", "nobody"}),
            0)
      << err_.str();
}

TEST_F(AgentInstallTest, TheServerKeyMayComeFromAFile) {
  std::string file = root_.write("head-server.pub", "# the head node's\n" + server_key_ + "\n");
  std::vector<std::string> args{"install",  "--root",          root_.path().string(),
                                "--server", "tcp://head:5555", "--server-key-file",
                                file,       "--service-user",  "nobody"};
  ASSERT_EQ(run(args), 0) << err_.str();
  EXPECT_EQ(slurp(keys() / "server.pub"), server_key_ + "\n");
}

TEST_F(AgentInstallTest, WithoutSystemdItSaysHowToRunTheAgentInTheForeground) {
  services_->running_ = false;
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  EXPECT_THAT(services_->calls, IsEmpty());
  std::string command = std::string(as_root() ? "runuser -u nobody -- " : "") +
                        "labsweep agent --config /etc/labsweep/agent.yaml";
  EXPECT_THAT(out_.str(), HasSubstr("systemd is not running on this machine, so no service was "
                                    "started. Run the agent in the foreground with\n  " +
                                    command + "\n"));
}

TEST_F(AgentInstallTest, IntoAnotherRootDirectoryNoServiceIsTouched) {
  std::vector<std::string> args = install_args();
  fs::path other = root_.path() / "image";
  args[2] = other.string();
  ASSERT_EQ(run(args), 0) << err_.str();
  EXPECT_THAT(services_->calls, IsEmpty());
  EXPECT_TRUE(fs::exists(other / "etc" / "labsweep" / "agent.yaml"));
  EXPECT_THAT(out_.str(), HasSubstr("The files are under " + other.string() +
                                    ", not this machine's /: no service was touched."));
}

TEST_F(AgentInstallTest, AFailingSystemctlIsReported) {
  services_->fail_next = Status(StatusCode::kFailedPrecondition, "systemctl daemon-reload failed");
  EXPECT_EQ(run(install_args()), 1);
  EXPECT_EQ(err_.str(), "labsweep: error: systemctl daemon-reload failed\n");
}

TEST_F(AgentInstallTest, UninstallStopsTheServiceAndRemovesTheConfigurationKeepingTheKeys) {
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  services_->calls.clear();
  ASSERT_EQ(run({"uninstall", "--root", root_.path().string()}), 0) << err_.str();
  EXPECT_THAT(services_->calls,
              ElementsAre(ElementsAre("disable", "--now", "labsweep-agent.service")));
  EXPECT_FALSE(fs::exists(etc() / "agent.yaml"));
  EXPECT_TRUE(fs::exists(keys() / "agent.key"));
  EXPECT_THAT(out_.str(), HasSubstr("Kept the agent's keys in " + keys().string()));
  // Again: nothing left to remove, and that is no error.
  ASSERT_EQ(run({"uninstall", "--root", root_.path().string()}), 0) << err_.str();
}

TEST_F(AgentInstallTest, UninstallWithPurgeKeysRemovesTheAgentsKeys) {
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  ASSERT_EQ(run({"uninstall", "--root", root_.path().string(), "--purge-keys"}), 0) << err_.str();
  for (const char* name : {"agent.key", "agent.pub", "server.pub"})
    EXPECT_FALSE(fs::exists(keys() / name)) << name;
}

TEST_F(AgentInstallTest, PurgingKeysOnAHeadNodeKeepsTheServersPublicKey) {
  ASSERT_EQ(run(install_args()), 0) << err_.str();
  std::ofstream(keys() / "server.key") << "the server's pair\n";
  ASSERT_EQ(run({"uninstall", "--root", root_.path().string(), "--purge-keys"}), 0) << err_.str();
  EXPECT_FALSE(fs::exists(keys() / "agent.key"));
  EXPECT_TRUE(fs::exists(keys() / "server.pub"));
  EXPECT_TRUE(fs::exists(keys() / "server.key"));
}

}  // namespace
}  // namespace labsweep::cli
