#pragma once

// Whose rights `labsweep agent`'s trials get (docs/agent.md, "Whose rights trials have"). Trials
// run whatever the lab's researchers submit, so they never run as root unless asked to: an
// agent running as root needs `--trial-user USER` (its trials then run as USER) or
// `--allow-root`.

#include <sys/types.h>

#include <optional>
#include <string>

#include "agent/trial_user.h"
#include "base/status.h"

namespace labsweep::cli {

// The user `name` as the system knows it, with its supplementary groups; fails, saying so,
// when there is no such user.
Result<agent::TrialUser> look_up_user(const std::string& name);

// The user the trials of an agent running with effective uid `agent_uid` run as: nullopt for the
// agent's own. `trial_user` is --trial-user (empty: none). Fails when the trials would run as
// root without `allow_root`, and when a user other than root asks for another user.
Result<std::optional<agent::TrialUser>> trial_user_for(uid_t agent_uid,
                                                       const std::string& trial_user,
                                                       bool allow_root);

}  // namespace labsweep::cli
