#include "cli/trial_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace labsweep::cli {

Result<agent::TrialUser> look_up_user(const std::string& name) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  int error = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    return Status(StatusCode::kNotFound,
                  "no user '" + name + "'" +
                      (error != 0 ? std::string(" (") + std::strerror(error) + ")" : ""));
  }
  agent::TrialUser user;
  user.name = name;
  user.uid = entry.pw_uid;
  user.gid = entry.pw_gid;
  user.home = entry.pw_dir;
  int count = 64;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(name.c_str(), entry.pw_gid, groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));
  }
  groups.resize(static_cast<size_t>(count));
  user.groups = std::move(groups);
  return user;
}

Result<std::optional<agent::TrialUser>> trial_user_for(uid_t agent_uid,
                                                       const std::string& trial_user,
                                                       bool allow_root) {
  std::optional<agent::TrialUser> user;
  if (!trial_user.empty()) {
    Result<agent::TrialUser> found = look_up_user(trial_user);
    if (!found) return Status(found.status().code(), "--trial-user: " + found.status().message());
    if (found->uid != agent_uid) {
      if (agent_uid != 0) {
        return Status(StatusCode::kFailedPrecondition,
                      "--trial-user " + trial_user +
                          ": only an agent running as root may run trials as another user");
      }
      user = std::move(found).value();
    }
  }
  uid_t trials_run_as = user ? user->uid : agent_uid;
  if (trials_run_as == 0 && !allow_root) {
    return Status(StatusCode::kFailedPrecondition,
                  "refusing to run trials as root: they run whatever the lab's researchers "
                  "submit. Run the agent as an unprivileged user (the labsweep-agent service "
                  "runs it as labsweep), or give it --trial-user USER to run trials as USER, or "
                  "--allow-root");
  }
  return user;
}

}  // namespace labsweep::cli
