#include "agent/running_state.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/process_table.h"
#include "agent/trial_cgroup.h"
#include "agent/trial_environment.h"

namespace labsweep::agent {

using nlohmann::json;

std::optional<uint64_t> process_start_time(pid_t pid) {
  std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  // Field 3 (state) is the first after the name; the start time is field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
    if (i == 3 && field == "Z") return std::nullopt;
  }
  try {
    return std::stoull(field);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Result<std::vector<RunningTrial>> RunningState::load() const {
  std::ifstream in(file_);
  if (!in) return std::vector<RunningTrial>{};
  json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array()) return io_error(file_.string() + ": not a JSON array");
  std::vector<RunningTrial> trials;
  try {
    for (const json& t : doc) {
      trials.push_back({t.at("trial_id").get<int64_t>(), t.at("pid").get<pid_t>(),
                        t.at("pgid").get<pid_t>(), t.at("start_time").get<uint64_t>(),
                        t.at("dir").get<std::string>(), t.at("cgroup").get<std::string>()});
    }
  } catch (const json::exception& e) {
    return io_error(file_.string() + ": " + e.what());
  }
  return trials;
}

Status RunningState::add(const RunningTrial& trial) {
  trials_[trial.trial_id] = trial;
  return save();
}

Status RunningState::remove(int64_t trial_id) {
  trials_.erase(trial_id);
  return save();
}

Status RunningState::clear() {
  trials_.clear();
  return save();
}

Status RunningState::save() const {
  json doc = json::array();
  for (const auto& [id, t] : trials_) {
    doc.push_back({{"trial_id", t.trial_id},
                   {"pid", t.pid},
                   {"pgid", t.pgid},
                   {"start_time", t.start_time},
                   {"dir", t.dir.string()},
                   {"cgroup", t.cgroup.string()}});
  }
  std::filesystem::path temp = file_;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << doc.dump() << '\n';
    if (!out.flush()) return io_error("cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, file_, ec);  // a crash leaves the old list or the new, whole
  if (ec) return io_error("cannot write " + file_.string() + ": " + ec.message());
  return Status::ok();
}

void end_leftover(const RunningTrial& trial) {
  // The group id is the leader's pid; it is still this trial's only while that very leader
  // lives (same pid, same start time). Otherwise it may be a stranger's and is left alone.
  std::optional<uint64_t> started = process_start_time(trial.pid);
  if (started && *started == trial.start_time) {
    ::kill(-trial.pgid, SIGKILL);
    ::kill(trial.pid, SIGKILL);
  }
  kill_marked_processes(trial_marker(trial.dir));
  if (!trial.cgroup.empty() && std::filesystem::exists(trial.cgroup)) {
    TrialCgroup::adopt(trial.cgroup);  // kills what is in it and removes it
  }
}

}  // namespace labsweep::agent
