#include "cli/login_command.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/api_command.h"
#include "cli/client_token.h"

namespace labsweep::cli {
namespace {

// Turns the terminal's echo off while it lives, so that the token is not shown as it is typed.
class NoEcho {
 public:
  explicit NoEcho(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

Result<std::string> read_token(const std::string& url, std::istream& in, std::ostream& err) {
  std::string line;
  if (&in == &std::cin && ::isatty(STDIN_FILENO)) {
    err << "API token for " << url << ": " << std::flush;
    NoEcho quiet(STDIN_FILENO);
    std::getline(in, line);
    err << "\n";
  } else {
    std::getline(in, line);
  }
  return token_from_text(line, "standard input");
}

}  // namespace

int login(const std::string& url_option, std::istream& in, std::ostream& out, std::ostream& err) {
  const std::string url = server_url(url_option);
  Result<std::string> token = read_token(url, in, err);
  if (!token) return print_failure(token.status(), err);
  Result<ApiClient> api = ApiClient::connect(url, *token);
  if (!api) return print_failure(api.status(), err);
  if (Result<nlohmann::json> health = api->get("/health"); !health) {
    if (api->last_status() != 401) return print_failure(health.status(), err);
    return print_failure({StatusCode::kFailedPrecondition,
                          "the server at " + url + " refused this token; nothing was saved"},
                         err);
  }
  if (Status saved = save_client_token(*token); !saved.is_ok()) return print_failure(saved, err);
  out << "the server at " << url << " accepted the token; saved in " << client_token_path().string()
      << " for the other commands\n";
  return kExitOk;
}

void add_login_command(CLI::App& app, std::function<int()>& action) {
  auto url = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "login", "Keep an API token (read from standard input) for the commands that use a server");
  add_url_option(*cmd, *url);
  cmd->callback(
      [url, &action] { action = [url] { return login(*url, std::cin, std::cout, std::cerr); }; });
}

}  // namespace labsweep::cli
