#include "agent/trial_cgroup.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "agent/process_table.h"

namespace labsweep::agent {
namespace {

bool write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  out.flush();
  return static_cast<bool>(out);
}

// Where the cgroup2 hierarchy is mounted: "/sys/fs/cgroup" on a pure v2 system,
// "/sys/fs/cgroup/unified" on a hybrid one.
std::optional<std::filesystem::path> cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    std::istringstream after(line.substr(dash + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream fields(line);
    std::string id, parent, devices, root, mount_point;
    fields >> id >> parent >> devices >> root >> mount_point;
    if (root == "/") return std::filesystem::path(mount_point);
  }
  return std::nullopt;
}

// This process's cgroup v2 path (the "0::" line of /proc/self/cgroup).
std::optional<std::string> own_cgroup() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::filesystem::path> writable_cgroup_parent() {
  std::optional<std::filesystem::path> mount = cgroup2_mount();
  std::optional<std::string> own = own_cgroup();
  if (!mount || !own) return std::nullopt;
  std::filesystem::path parent = *mount / std::filesystem::path(*own).relative_path();
  std::filesystem::path probe = parent / ("labsweep-probe-" + std::to_string(::getpid()));
  if (::mkdir(probe.c_str(), 0755) != 0) return std::nullopt;
  // cgroup.kill came with Linux 5.14; the root cgroup never has one, so look in the child.
  bool can_kill = std::filesystem::exists(probe / "cgroup.kill");
  ::rmdir(probe.c_str());
  if (!can_kill) return std::nullopt;
  return parent;
}

Result<std::unique_ptr<TrialCgroup>> TrialCgroup::create(const std::filesystem::path& parent,
                                                         const std::string& name) {
  std::filesystem::path dir = parent / name;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return io_error("cannot create cgroup " + dir.string());
  }
  return std::unique_ptr<TrialCgroup>(new TrialCgroup(dir));
}

std::unique_ptr<TrialCgroup> TrialCgroup::adopt(std::filesystem::path dir) {
  return std::unique_ptr<TrialCgroup>(new TrialCgroup(std::move(dir)));
}

TrialCgroup::~TrialCgroup() {
  kill();
  // Emptied moments ago; the kernel may still be finishing the exits.
  for (int i = 0; i < 100 && ::rmdir(dir_.c_str()) != 0 && errno == EBUSY; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Status TrialCgroup::add(pid_t pid) {
  if (!write_file(dir_ / "cgroup.procs", std::to_string(pid))) {
    return io_error("cannot move process " + std::to_string(pid) + " into " + dir_.string());
  }
  return Status::ok();
}

bool TrialCgroup::populated() const {
  std::ifstream in(dir_ / "cgroup.events");
  std::string key;
  int value = 0;
  while (in >> key >> value) {
    if (key == "populated") return value != 0;
  }
  return false;
}

void TrialCgroup::kill() {
  if (!std::filesystem::exists(dir_)) return;
  write_file(dir_ / "cgroup.kill", "1");
  // SIGKILL is delivered asynchronously; a bounded wait, so that the directory can go and the
  // orphans that come back to us as subreaper can be reaped.
  for (int i = 0; i < 1000 && populated(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  reap_orphans(launched_leaders());
}

}  // namespace labsweep::agent
