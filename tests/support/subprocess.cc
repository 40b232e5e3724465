#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace labsweep::testing {
namespace {

void drain(int fds[2], std::string& out, std::string& err) {
  pollfd polls[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = 2;
  char buffer[4096];
  while (open > 0) {
    if (poll(polls, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (polls[i].fd < 0 || !(polls[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(polls[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else {
        close(polls[i].fd);
        polls[i].fd = -1;
        --open;
      }
    }
  }
}

// A file that holds `input`, read from its start: a memfd, so that no pipe is left for the
// child to close early (a SIGPIPE would end the test).
int input_file(std::string_view input) {
  int fd = memfd_create("stdin", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error("memfd_create failed");
  for (size_t done = 0; done < input.size();) {
    ssize_t n = write(fd, input.data() + done, input.size() - done);
    if (n <= 0) throw std::runtime_error("writing the input failed");
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

// Runs `argv` with `stdin_fd` as its standard input, which it closes.
ProcessResult run_with_stdin(const std::vector<std::string>& argv, int stdin_fd) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    dup2(stdin_fd, STDIN_FILENO);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(stdin_fd);
  ProcessResult result;
  int fds[2] = {out_pipe[0], err_pipe[0]};
  drain(fds, result.out, result.err);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv) {
  return run_with_stdin(argv, open("/dev/null", O_RDONLY | O_CLOEXEC));
}

ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input) {
  return run_with_stdin(argv, input_file(input));
}

std::string built_binary(const std::string& name) {
  const char* dir = std::getenv("LABSWEEP_BIN_DIR");
  return std::string(dir ? dir : "build/bin") + "/" + name;
}

}  // namespace labsweep::testing
