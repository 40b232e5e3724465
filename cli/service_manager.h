#pragma once

// The machine's service manager as `labsweep agent install` and `uninstall` use it
// (agent_install.h): systemd in main(), a recording fake in tests.

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"

namespace labsweep::cli {

class ServiceManager {
 public:
  virtual ~ServiceManager() = default;
  // Whether the service manager runs on this machine.
  virtual bool running() const = 0;
  // Runs `systemctl ARGS...` and waits for it; fails, saying so, unless it exits 0.
  virtual Status systemctl(const std::vector<std::string>& args) = 0;
};

// systemd: running when /run/systemd/system exists (as sd_booted() decides); systemctl is
// started from PATH with an argument vector, never through a shell.
std::unique_ptr<ServiceManager> make_systemd_service_manager();

}  // namespace labsweep::cli
