#pragma once

// The orchestrator's core on a real temporary SQLite store, a fake clock and an outbox that
// records what it sends; store completions are run when the test settles the core.

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "orchestrator/core.h"
#include "orchestrator/outbox.h"
#include "orchestrator/task_queue.h"
#include "store/store_reader.h"
#include "store/store_writer.h"
#include "tests/store/store_fixture.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::orchestrator {

// Keeps what the core sends, per peer, in order.
class RecordingOutbox final : public Outbox {
 public:
  void send(const PeerId& peer, const protocol::Message& message) override {
    sent_.emplace_back(peer, message);
  }
  // The messages of type M sent to `peer` since the last take, removed from the record.
  template <typename M>
  std::vector<M> take(const PeerId& peer) {
    std::vector<M> out;
    std::vector<std::pair<PeerId, protocol::Message>> rest;
    for (auto& [to, message] : sent_) {
      if (to == peer && std::holds_alternative<M>(message)) {
        out.push_back(std::get<M>(message));
      } else {
        rest.emplace_back(to, std::move(message));
      }
    }
    sent_ = std::move(rest);
    return out;
  }
  void clear() { sent_.clear(); }

 private:
  std::vector<std::pair<PeerId, protocol::Message>> sent_;
};

class CoreTest : public ::testing::Test {
 protected:
  static constexpr std::chrono::milliseconds kHeartbeat{1000};
  static constexpr int kMissed = 5;

  void SetUp() override { open(); }
  void TearDown() override { close(); }

  void open() {
    store::WriterOptions options{.commit_hook = &hook_};
    auto writer = store::StoreWriter::open(dir_.path() / "lab.db", options);
    ASSERT_TRUE(writer) << writer.status().message();
    writer_ = std::move(*writer);
    auto reader = store::StoreReader::open(dir_.path() / "lab.db");
    ASSERT_TRUE(reader) << reader.status().message();
    reader_ = std::move(*reader);
    queue_ = std::make_unique<TaskQueue>();
    core_ = std::make_unique<Core>(CoreOptions{.heartbeat_interval = kHeartbeat,
                                               .missed_heartbeats = kMissed,
                                               .getenv = {},
                                               .stopping_rules = stopping_rules_,
                                               .search_methods = search_methods_},
                                   *writer_, *reader_, clock_, outbox_, *queue_);
    Status recovered = core_->recover();
    ASSERT_TRUE(recovered.is_ok()) << recovered.message();
    settle();
  }

  // The orchestrator goes away (what it submitted is committed, as a writer's shutdown does)
  // and a new one starts on the same file.
  void restart() {
    close();
    outbox_.clear();
    open();
  }

  void close() {
    if (!core_) return;
    settle();
    core_.reset();
    writer_->shutdown();
    queue_->close();
    reader_.reset();
    writer_.reset();
  }

  // Runs store completions until nothing more is pending.
  void settle() {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(writer_->flush().get().is_ok());
      if (queue_->run_all() == 0) return;
    }
    FAIL() << "the core never settled";
  }

  void tick() {
    core_->on_tick();
    settle();
  }

  void advance(std::chrono::milliseconds by) {
    clock_.advance(by);
    tick();
  }

  // The agent's report that `trial` ended: its `seq`-th data message, at time 0.
  static protocol::TrialEnded ended(uint64_t seq, int64_t trial, int exit_code = 0, int signal = 0,
                                    bool stopped = false, std::string stderr_tail = "") {
    return {.seq = seq,
            .trial_id = trial,
            .exit_code = exit_code,
            .signal = signal,
            .stopped = stopped,
            .stderr_tail = std::move(stderr_tail),
            .time_ms = 0};
  }

  protocol::GpuState gpu(int index, bool busy = false) {
    return {.index = index,
            .name = "Fake GPU",
            .memory_total_mb = 80'000,
            .memory_used_by_others_mb = busy ? 1000 : 0,
            .used_by_others = busy};
  }

  void hello(const PeerId& peer, const std::string& name, std::vector<protocol::GpuState> gpus,
             int cpu_slots = 0, std::vector<int64_t> running = {}, int slots_per_gpu = 1) {
    core_->on_message(peer, protocol::Hello{.agent_name = name,
                                            .host = name + ".lab",
                                            .gpus = std::move(gpus),
                                            .cpu_slots = cpu_slots,
                                            .slots_per_gpu = slots_per_gpu,
                                            .running_trials = std::move(running)});
    settle();
  }

  void send(const PeerId& peer, protocol::Message message) {
    core_->on_message(peer, std::move(message));
    settle();
  }

  store::SweepId submit(const std::string& text) {
    std::optional<Result<SubmitResult>> outcome;
    core_->submit_sweep({.text = text},
                        [&](Result<SubmitResult> r) { outcome.emplace(std::move(r)); });
    settle();
    EXPECT_TRUE(outcome.has_value());
    if (!outcome || !*outcome || !(*outcome)->sweep) {
      ADD_FAILURE() << "submission refused";
      return {};
    }
    return *(*outcome)->sweep;
  }

  std::vector<store::TrialView> trials(store::SweepId sweep) {
    auto trials = reader_->trials(sweep);
    EXPECT_TRUE(trials) << trials.status().message();
    return trials ? *trials : std::vector<store::TrialView>{};
  }

  store::TrialRecord trial(int64_t id) {
    auto view = reader_->trial(store::TrialId{id});
    EXPECT_TRUE(view) << view.status().message();
    return view ? view->trial : store::TrialRecord{};
  }

  // How many events of `kind` the store holds about `sweep`.
  int count_events(store::SweepId sweep, const std::string& kind) {
    auto events = reader_->events({.after = {}, .sweep = sweep, .limit = std::nullopt});
    EXPECT_TRUE(events);
    int n = 0;
    if (events) {
      for (const auto& e : *events) n += e.kind == kind;
    }
    return n;
  }

  store::SweepState sweep_state(store::SweepId id) {
    auto overview = reader_->sweep(id);
    EXPECT_TRUE(overview);
    return overview ? overview->sweep.state : store::SweepState::kRunning;
  }

  // A grid of `n` points over x = 0..n-1, running `prog --x=V`.
  static std::string grid(int n, const std::string& labsweep = "") {
    std::string values;
    for (int i = 0; i < n; ++i) values += (i ? ", " : "") + std::to_string(i);
    return "method: grid\ncommand:\n  - prog\n  - ${args}\nparameters:\n  x:\n    values: [" +
           values + "]\n" + (labsweep.empty() ? "" : "labsweep:\n" + labsweep);
  }

  // The sweeps' early-stopping rules; empty: the real ones (sweeps::make_stopping_rules).
  std::function<std::unique_ptr<sweeps::StoppingRule>(const sweeps::SweepSpec&)> stopping_rules_{};
  // The sweeps' search methods; empty: the real ones (sweeps::make_search_method).
  std::function<Result<std::unique_ptr<sweeps::SearchMethod>>(const sweeps::SweepSpec&, uint64_t)>
      search_methods_{};
  testing::TempDir dir_;
  testing::FakeClock clock_;
  RecordingOutbox outbox_;
  store::testing::FailingCommitHook hook_;
  std::unique_ptr<store::StoreWriter> writer_;
  std::unique_ptr<store::StoreReader> reader_;
  std::unique_ptr<TaskQueue> queue_;
  std::unique_ptr<Core> core_;
};

}  // namespace labsweep::orchestrator
