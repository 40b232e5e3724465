#include "store/store_writer.h"

#include <algorithm>
#include <vector>

#include "store/connection.h"
#include "store/schema.h"
#include "store/write_applier.h"

namespace labsweep::store {
namespace {

size_t points_in(const WriteOp& op) {
  if (const auto* points = std::get_if<AddMetricPoints>(&op)) return points->points.size();
  return 0;
}

}  // namespace

Result<std::unique_ptr<StoreWriter>> StoreWriter::open(const std::filesystem::path& path,
                                                       WriterOptions options) {
  Result<Connection> opened = Connection::open(path, AccessMode::kReadWrite, options.busy_timeout);
  if (!opened) return opened.status();
  auto db = std::make_unique<Connection>(std::move(opened).value());
  Status status = migrate(*db, migrations());
  if (!status.is_ok()) return status;
  auto applier = std::make_unique<WriteApplier>(*db, options.commit_hook);
  std::unique_ptr<StoreWriter> writer(new StoreWriter(std::move(db), std::move(applier), options));
  writer->thread_ = std::thread([raw = writer.get()] { raw->run(); });
  return writer;
}

StoreWriter::StoreWriter(std::unique_ptr<Connection> db, std::unique_ptr<WriteApplier> applier,
                         WriterOptions options)
    : options_(options), db_(std::move(db)), applier_(std::move(applier)) {}

StoreWriter::~StoreWriter() { shutdown(); }

void StoreWriter::enqueue(QueuedOp op, Completion done) {
  {
    MutexLock lock(mu_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(op), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(Status(StatusCode::kFailedPrecondition, "the store writer is shut down"));
}

std::future<Status> StoreWriter::flush() {
  auto promise = std::make_shared<std::promise<Status>>();
  std::future<Status> future = promise->get_future();
  enqueue(Flush{}, [promise](Result<int64_t> result) {
    promise->set_value(result ? Status::ok() : result.status());
  });
  return future;
}

void StoreWriter::shutdown() {
  {
    MutexLock lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::call_once(joined_, [this] {
    if (thread_.joinable()) thread_.join();
  });
}

WriterStats StoreWriter::stats() const {
  MutexLock lock(mu_);
  return stats_;
}

void StoreWriter::record(const WriterStats& delta) {
  MutexLock lock(mu_);
  stats_.batches_committed += delta.batches_committed;
  stats_.batches_failed += delta.batches_failed;
  stats_.ops_committed += delta.ops_committed;
  stats_.ops_failed += delta.ops_failed;
}

void StoreWriter::run() {
  for (;;) {
    std::deque<Pending> batch;
    {
      MutexLock lock(mu_);
      while (queue_.empty() && !stopping_) mu_.wait(wake_);
      if (queue_.empty()) return;  // stopping, and everything queued is done
      batch = take_batch();
    }
    commit_batch(batch);
  }
}

std::deque<StoreWriter::Pending> StoreWriter::take_batch() {
  std::deque<Pending> batch;
  size_t max_ops = std::max<size_t>(options_.max_batch_ops, 1);
  size_t points = 0;
  while (!queue_.empty() && batch.size() < max_ops) {
    const QueuedOp& next = queue_.front().op;
    size_t more = std::holds_alternative<WriteOp>(next) ? points_in(std::get<WriteOp>(next)) : 0;
    if (!batch.empty() && points + more > options_.max_batch_points) break;
    points += more;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void StoreWriter::commit_batch(std::deque<Pending>& batch) {
  bool writes = std::any_of(batch.begin(), batch.end(), [](const Pending& pending) {
    return std::holds_alternative<WriteOp>(pending.op);
  });
  if (!writes) {  // flushes alone: nothing to commit, no sync to pay for
    for (Pending& pending : batch) pending.done(int64_t{0});
    return;
  }
  // Each operation's own outcome: an operation that fails alone is rolled back alone (a
  // savepoint); the others commit. A batch-wide failure overrides them all.
  std::vector<Result<int64_t>> outcomes;
  outcomes.reserve(batch.size());
  Status failure = applier_->begin();
  for (size_t i = 0; failure.is_ok() && i < batch.size(); ++i) {
    const auto* op = std::get_if<WriteOp>(&batch[i].op);
    outcomes.push_back(op ? applier_->apply(*op) : Result<int64_t>(int64_t{0}));
    if (!outcomes.back() && applier_->transaction_lost()) failure = outcomes.back().status();
  }
  if (failure.is_ok()) {
    failure = applier_->commit();
  } else {
    applier_->rollback();
  }

  WriterStats delta;
  ++(failure.is_ok() ? delta.batches_committed : delta.batches_failed);
  for (size_t i = 0; i < batch.size(); ++i) {
    if (std::holds_alternative<Flush>(batch[i].op)) continue;
    ++(failure.is_ok() && outcomes[i] ? delta.ops_committed : delta.ops_failed);
  }
  record(delta);

  // Only now, after the commit (or the failure), does anyone hear about the batch.
  for (size_t i = 0; i < batch.size(); ++i) {
    bool is_flush = std::holds_alternative<Flush>(batch[i].op);
    if (failure.is_ok() || is_flush) {
      batch[i].done(is_flush ? Result<int64_t>(int64_t{0}) : std::move(outcomes[i]));
    } else {
      batch[i].done(failure);
    }
  }
}

}  // namespace labsweep::store
