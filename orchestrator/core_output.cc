// Trial output: the chunks of stdout and stderr the agents send (protocol TrialOutput) go to
// the store, which keeps each stream's last 64 KiB (docs/orchestrator.md, "Trial output").
// In the store rather than in memory so that the page of an ended trial, and of a running one
// after a restart, still shows it; each chunk is written once, appended, never rewritten.

#include <utility>

#include "orchestrator/core.h"

namespace labsweep::orchestrator {

void Core::on_trial_output(const AgentEntry& agent, protocol::TrialOutput output) {
  auto it = trials_.find(store::TrialId{output.trial_id});
  // Only from the agent running the trial: a late chunk of an attempt that was re-placed
  // would mix two attempts' files.
  if (it == trials_.end() || it->second.phase != TrialPhase::kRunning ||
      it->second.agent != agent.name) {
    ++stats_.outputs_dropped;
    return;
  }
  write(store::AppendTrialOutput{.trial = it->second.id,
                                 .stream = output.stream == protocol::TrialOutput::Stream::kStdout
                                               ? store::OutputStream::kStdout
                                               : store::OutputStream::kStderr,
                                 .offset = output.offset,
                                 .data = std::move(output.data)});
}

}  // namespace labsweep::orchestrator
