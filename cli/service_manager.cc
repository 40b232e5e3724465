#include "cli/service_manager.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace labsweep::cli {
namespace {

class SystemdServiceManager final : public ServiceManager {
 public:
  bool running() const override {
    std::error_code ignored;
    return std::filesystem::is_directory("/run/systemd/system", ignored);
  }

  Status systemctl(const std::vector<std::string>& args) override {
    std::vector<std::string> argv{"systemctl"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (std::string& arg : argv) pointers.push_back(arg.data());
    pointers.push_back(nullptr);
    std::string line;
    for (const std::string& arg : argv) line += (line.empty() ? "" : " ") + arg;
    pid_t pid = 0;
    int error = ::posix_spawnp(&pid, "systemctl", nullptr, nullptr, pointers.data(), environ);
    if (error != 0) return io_error(line + ": cannot start it: " + std::strerror(error));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::ok();
    return Status(StatusCode::kFailedPrecondition,
                  line + " failed (" +
                      (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                         : "signal " + std::to_string(WTERMSIG(status))) +
                      ")");
  }
};

}  // namespace

std::unique_ptr<ServiceManager> make_systemd_service_manager() {
  return std::make_unique<SystemdServiceManager>();
}

}  // namespace labsweep::cli
