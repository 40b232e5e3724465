#include "tests/integration/lab.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/subprocess.h"

namespace labsweep::testing {
namespace {

using std::chrono::steady_clock;

// A TCP port nobody listens on now, for a server that must come back on the same one.
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

Lab::Lab() = default;

void Lab::start_server(int agent_port) {
  if (agent_endpoint_.empty() || agent_port != 0) {
    agent_endpoint_ =
        "tcp://" + agent_host_ + ":" + std::to_string(agent_port ? agent_port : free_port());
  }
  std::vector<std::string> argv = {built_binary("labsweep"),
                                   "server",
                                   "--db",
                                   db(),
                                   "--agents",
                                   agent_endpoint_,
                                   "--http-port",
                                   "0",
                                   "--heartbeat-ms",
                                   std::to_string(kHeartbeat.count())};
  argv.insert(argv.end(), server_args_.begin(), server_args_.end());
  server_ = std::make_unique<BackgroundProcess>(
      argv, dir() / ("server-" + std::to_string(++server_starts_)));
  ASSERT_TRUE(server_->wait_for_err("/ (database", std::chrono::seconds(20))) << server_->err();
  std::smatch match;
  std::string err = server_->err();
  ASSERT_TRUE(std::regex_search(err, match, std::regex("at (http://127\\.0\\.0\\.1:[0-9]+)/")));
  auto api = cli::ApiClient::connect(match[1].str());
  ASSERT_TRUE(api.is_ok());
  api_ = std::make_unique<cli::ApiClient>(std::move(*api));
}

void Lab::kill_server() {
  server_->signal(SIGKILL);
  server_->wait(std::chrono::seconds(10));
}

std::string Lab::server_log(int n) const {
  std::ifstream in(dir() / ("server-" + std::to_string(n) + ".err"));
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

BackgroundProcess& Lab::start_agent(const std::string& name, std::vector<std::string> extra,
                                    std::vector<std::string> wrapper) {
  std::vector<std::string> argv = std::move(wrapper);
  for (std::string arg :
       {built_binary("labsweep"), std::string("agent"), std::string("--server"), agent_endpoint_,
        std::string("--name"), name, std::string("--work-dir"), (dir() / name).string(),
        std::string("--allow-root")})  // the tests run as root, the trials are theirs
    argv.push_back(std::move(arg));
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto& slot = agents_[name];
  slot = std::make_unique<BackgroundProcess>(argv, dir() / ("agent-" + name));
  return *slot;
}

int64_t Lab::submit(const std::string& yaml) {
  auto created = api().post("/sweeps", {{"spec", yaml}, {"file_name", "sweep.yaml"}});
  EXPECT_TRUE(created.is_ok()) << created.status().message() << "\n"
                               << api().last_error_body().dump(2);
  return created.is_ok() ? (*created)["id"].get<int64_t>() : 0;
}

nlohmann::json Lab::wait_for_sweep(int64_t sweep, const std::string& state,
                                   std::chrono::seconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  nlohmann::json last;
  while (steady_clock::now() < deadline) {
    auto answer = api().get("/sweeps/" + std::to_string(sweep));
    if (answer.is_ok()) {
      last = *answer;
      if (last["state"] == state) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "sweep " << sweep << " not " << state << " within " << timeout.count()
                << " s; last: " << last.dump() << "\nserver log:\n"
                << server_->err();
  return last;
}

void Lab::wait_for_running(int64_t sweep, int count, std::chrono::seconds timeout) {
  auto deadline = steady_clock::now() + timeout;
  nlohmann::json last;
  while (steady_clock::now() < deadline) {
    auto answer = api().get("/sweeps/" + std::to_string(sweep));
    if (answer.is_ok()) {
      last = *answer;
      if (last["counts"]["running"].get<int>() >= count) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "fewer than " << count << " trials running; last: " << last.dump();
}

nlohmann::json Lab::trials(int64_t sweep) {
  auto answer = api().get("/sweeps/" + std::to_string(sweep) + "/trials");
  EXPECT_TRUE(answer.is_ok()) << answer.status().message();
  return answer.is_ok() ? (*answer)["trials"] : nlohmann::json::array();
}

std::string Lab::trial_program() {
  return std::filesystem::absolute("tests/integration/trials/report.py").string();
}

std::vector<std::string> Lab::trial_log_lines() const {
  std::ifstream in(trial_log());
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool process_alive(int pid) {
  if (kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), {});
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

}  // namespace labsweep::testing
