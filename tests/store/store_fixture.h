#pragma once

// What the store's tests share: a database in a fresh temporary directory with a writer and
// readers on it, helpers that write and wait for the commit, a way to hold the writer's thread
// so that operations pile up into one batch, and a commit hook that fails commits on demand.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <ostream>
#include <string>
#include <utility>

#include "base/status.h"
#include "store/commit_hook.h"
#include "store/store_reader.h"
#include "store/store_writer.h"
#include "store/write_ops.h"
#include "tests/support/temp_dir.h"

namespace labsweep::store {

inline void PrintTo(SweepId id, std::ostream* os) { *os << "SweepId{" << id.value << "}"; }
inline void PrintTo(TrialId id, std::ostream* os) { *os << "TrialId{" << id.value << "}"; }
inline void PrintTo(AgentId id, std::ostream* os) { *os << "AgentId{" << id.value << "}"; }
inline void PrintTo(EventId id, std::ostream* os) { *os << "EventId{" << id.value << "}"; }

namespace testing {

inline std::string describe(const Status& status) {
  return status.is_ok() ? "ok" : status.message();
}
template <typename T>
std::string describe(const Result<T>& result) {
  return result.is_ok() ? "ok" : result.status().message();
}

// Matches an ok Status or Result; on failure prints the error.
MATCHER(IsOk, "is ok") {
  *result_listener << describe(arg);
  return arg.is_ok();
}

// Matches a failed Status or Result with this code and exactly this message.
MATCHER_P2(FailsWith, code, message, "fails with \"" + std::string(message) + "\"") {
  *result_listener << describe(arg);
  if (arg.is_ok()) return false;
  const Status& status = [&]() -> const Status& {
    if constexpr (std::is_same_v<std::decay_t<decltype(arg)>, Status>) {
      return arg;
    } else {
      return arg.status();
    }
  }();
  return status.code() == code && status.message() == message;
}

// Fails the commits it is told to fail; counts the commits it sees.
class FailingCommitHook final : public CommitHook {
 public:
  void fail_next(int commits = 1) { failures_left_ = commits; }
  int commits_seen() const { return commits_seen_; }
  // Runs on the writer's thread as each commit is decided, before the verdict. Set it before
  // submitting the operations it should see.
  std::function<void()> on_commit;

  Status before_commit() override {
    ++commits_seen_;
    if (on_commit) on_commit();
    if (failures_left_ > 0) {
      --failures_left_;
      return io_error("injected commit failure");
    }
    return Status::ok();
  }

 private:
  std::atomic<int> failures_left_{0};
  std::atomic<int> commits_seen_{0};
};

// Holds the writer's thread inside a completion callback until release(), so that everything
// submitted meanwhile is committed in the following batch.
class WriterGate {
 public:
  explicit WriterGate(StoreWriter& writer) {
    std::shared_future<void> opened = open_.get_future().share();
    writer.submit(AddEvent{.time_ms = 0, .kind = "gate", .message = ""},
                  [this, opened](Result<EventId>) {
                    entered_.set_value();
                    opened.wait();
                  });
    entered_.get_future().wait();
  }
  ~WriterGate() { release(); }
  void release() {
    if (!released_) open_.set_value();
    released_ = true;
  }

 private:
  std::promise<void> entered_;
  std::promise<void> open_;
  bool released_ = false;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open_writer(); }

  std::filesystem::path db_path() const { return dir_.path() / "labsweep.db"; }

  void open_writer(WriterOptions options = {}) {
    writer_.reset();
    Result<std::unique_ptr<StoreWriter>> writer = StoreWriter::open(db_path(), options);
    ASSERT_THAT(writer, IsOk());
    writer_ = std::move(writer).value();
  }

  std::unique_ptr<StoreReader> open_reader() {
    Result<std::unique_ptr<StoreReader>> reader = StoreReader::open(db_path());
    EXPECT_THAT(reader, IsOk());
    return reader.is_ok() ? std::move(reader).value() : nullptr;
  }

  StoreReader& reader() {
    if (!reader_) reader_ = open_reader();
    return *reader_;
  }

  // Submits `op` and waits for its outcome.
  template <typename Op>
  Outcome<Op> write(Op op) {
    return writer_->submit(std::move(op)).get();
  }

  // Submits `op`, waits, and returns its output, failing the test when it did not commit.
  template <typename Op>
  typename Op::Output must(Op op) {
    Outcome<Op> outcome = write(std::move(op));
    EXPECT_THAT(outcome, IsOk());
    return outcome.is_ok() ? *outcome : typename Op::Output{};
  }

  SweepId make_sweep(std::string name = "sweep") {
    return must(CreateSweep{.name = std::move(name),
                            .method = "grid",
                            .spec_text = "method: grid\n",
                            .seed = 7,
                            .created_ms = 1000});
  }

  TrialId make_trial(SweepId sweep, int64_t suggestion_index) {
    return must(AddTrial{.sweep = sweep,
                         .suggestion_index = suggestion_index,
                         .params_json = "{\"lr\": 0.1}",
                         .created_ms = 2000 + suggestion_index});
  }

  AgentId make_agent(std::string name) {
    return must(RecordAgent{.name = std::move(name), .host = "gpu-host", .seen_ms = 500});
  }

  ::labsweep::testing::TempDir dir_;
  std::unique_ptr<StoreWriter> writer_;
  std::unique_ptr<StoreReader> reader_;
};

}  // namespace testing
}  // namespace labsweep::store
