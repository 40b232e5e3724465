#pragma once

// The store's one writer (docs/storage.md): it owns a connection and a thread, and commits
// whatever operations are queued in one transaction, so throughput grows with load. Each
// operation is completed (callback or future) only after the transaction that holds it has
// committed, or with the error that kept it from committing. Thread-safe.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/mutex.h"
#include "base/status.h"
#include "base/thread_annotations.h"
#include "store/commit_hook.h"
#include "store/write_ops.h"

namespace labsweep::store {

class Connection;
class WriteApplier;

struct WriterOptions {
  std::chrono::milliseconds busy_timeout{5000};
  // A transaction takes at most this many operations, holding at most this many metric points
  // between them (but always at least one operation, however many points it carries).
  size_t max_batch_ops = 10'000;
  size_t max_batch_points = 100'000;
  // Consulted before each commit (store/commit_hook.h); for tests. Must outlive the writer.
  CommitHook* commit_hook = nullptr;
};

// Counters since the writer opened.
struct WriterStats {
  int64_t batches_committed = 0;
  int64_t batches_failed = 0;  // commit (or begin) failed: every operation got the error
  int64_t ops_committed = 0;   // completed with success
  int64_t ops_failed = 0;      // completed with an error
};

class StoreWriter {
 public:
  // Opens (creating) the database file, migrates it to the current schema (refusing a newer
  // one) and starts the writer thread.
  static Result<std::unique_ptr<StoreWriter>> open(const std::filesystem::path& path,
                                                   WriterOptions options = {});
  // shutdown(), then closes the connection.
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  // Queues `op`; `done` runs on the writer thread once the outcome is known: after the commit
  // of the transaction holding `op`, or with the error that failed it. `done` must be quick,
  // must not throw and must not wait for the writer (it may submit more). After shutdown()
  // `done` runs at once, on the caller's thread, with a kFailedPrecondition error. `done` may be
  // empty.
  template <typename Op>
  void submit(Op op, std::function<void(Outcome<Op>)> done) EXCLUDES(mu_);
  // The same, with a future. Never wait on it from a completion callback.
  template <typename Op>
  std::future<Outcome<Op>> submit(Op op) EXCLUDES(mu_);

  // Ready once everything submitted before it has been completed.
  std::future<Status> flush() EXCLUDES(mu_);

  // Stops taking operations, commits everything already queued, completes it and joins the
  // thread. Idempotent; must not be called from a completion callback.
  void shutdown() EXCLUDES(mu_);

  WriterStats stats() const EXCLUDES(mu_);

 private:
  struct Flush {};  // an operation that writes nothing: completes after what came before
  using QueuedOp = std::variant<WriteOp, Flush>;
  using Completion = std::function<void(Result<int64_t>)>;
  struct Pending {
    QueuedOp op;
    Completion done;
  };

  StoreWriter(std::unique_ptr<Connection> db, std::unique_ptr<WriteApplier> applier,
              WriterOptions options);

  void enqueue(QueuedOp op, Completion done) EXCLUDES(mu_);
  void run() EXCLUDES(mu_);
  std::deque<Pending> take_batch() REQUIRES(mu_);
  // Applies and commits one batch, then completes its operations.
  void commit_batch(std::deque<Pending>& batch) EXCLUDES(mu_);
  void record(const WriterStats& delta) EXCLUDES(mu_);

  const WriterOptions options_;
  // Used only by the writer thread once it runs (and destroyed after it has joined).
  std::unique_ptr<Connection> db_;
  std::unique_ptr<WriteApplier> applier_;

  mutable Mutex mu_;
  std::condition_variable wake_;  // something queued, or stopping
  std::deque<Pending> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  WriterStats stats_ GUARDED_BY(mu_);
  std::thread thread_;  // started last, in open(); joined by shutdown()
  std::once_flag joined_;
};

template <typename Op>
void StoreWriter::submit(Op op, std::function<void(Outcome<Op>)> done) {
  static_assert(std::is_constructible_v<WriteOp, Op>, "not a store write operation");
  enqueue(WriteOp(std::move(op)), [done = std::move(done)](Result<int64_t> result) {
    if (!done) return;  // nobody is listening
    if constexpr (std::is_void_v<typename Op::Output>) {
      done(result ? Status::ok() : result.status());
    } else if (result) {
      done(Outcome<Op>(typename Op::Output{*result}));
    } else {
      done(Outcome<Op>(result.status()));
    }
  });
}

template <typename Op>
std::future<Outcome<Op>> StoreWriter::submit(Op op) {
  auto promise = std::make_shared<std::promise<Outcome<Op>>>();
  std::future<Outcome<Op>> future = promise->get_future();
  submit<Op>(std::move(op),
             [promise](Outcome<Op> outcome) { promise->set_value(std::move(outcome)); });
  return future;
}

}  // namespace labsweep::store
