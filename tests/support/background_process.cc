#include "tests/support/background_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace labsweep::testing {
namespace {

constexpr std::chrono::milliseconds kPollStep{20};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::string& out,
                             const std::string& err) {
  setpgid(0, 0);
  int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int null_fd = open("/dev/null", O_RDONLY);
  dup2(null_fd, STDIN_FILENO);
  dup2(out_fd, STDOUT_FILENO);
  dup2(err_fd, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::filesystem::path& log_prefix)
    : out_path_(log_prefix.string() + ".out"), err_path_(log_prefix.string() + ".err") {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) exec_child(argv, out_path_.string(), err_path_.string());
  setpgid(pid_, pid_);  // also here, so that the group exists before signal() is called
}

BackgroundProcess::~BackgroundProcess() {
  if (exit_code_) return;
  kill(-pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
}

void BackgroundProcess::signal(int signal) const {
  if (!exit_code_) kill(pid_, signal);
}

std::optional<int> BackgroundProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollStep);
  }
  return exit_code_;
}

std::string BackgroundProcess::out() const { return read_file(out_path_); }
std::string BackgroundProcess::err() const { return read_file(err_path_); }

bool BackgroundProcess::wait_for_err(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (err().find(text) != std::string::npos) return true;
    if (wait(std::chrono::milliseconds(0)) || std::chrono::steady_clock::now() >= deadline) {
      return err().find(text) != std::string::npos;
    }
    std::this_thread::sleep_for(kPollStep);
  }
}

}  // namespace labsweep::testing
