#include "agent/outbox.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include "protocol/codec.h"

namespace labsweep::agent {
namespace {

// Sequence numbers are reserved on disk in blocks, so that a restarted agent continues above
// every number an earlier run may have used, at the cost of one small write per block.
constexpr uint64_t kSeqBlock = 1 << 16;
constexpr char kSeqFile[] = "outbox.seq";
constexpr char kSpillFile[] = "outbox.spill";

uint64_t read_mark(const std::filesystem::path& path) {
  std::ifstream in(path);
  uint64_t mark = 0;
  if (!(in >> mark)) return 0;  // missing or damaged: the spill file's numbers still count
  return mark;
}

Status write_mark(const std::filesystem::path& path, uint64_t mark) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << mark << '\n';
    if (!out.flush()) return io_error("cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);  // atomic: a crash leaves the old mark or the new
  if (ec) return io_error("cannot write " + path.string() + ": " + ec.message());
  return Status::ok();
}

uint64_t* seq_of(protocol::Message& message) {
  if (auto* m = std::get_if<protocol::Metrics>(&message)) return &m->seq;
  if (auto* m = std::get_if<protocol::TrialStarted>(&message)) return &m->seq;
  if (auto* m = std::get_if<protocol::TrialEnded>(&message)) return &m->seq;
  return nullptr;
}

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::filesystem::path& state_dir,
                                             size_t memory_limit_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) return io_error("cannot create " + state_dir.string() + ": " + ec.message());
  Result<std::unique_ptr<SpillFile>> spill = SpillFile::open(state_dir / kSpillFile);
  if (!spill) return spill.status();
  if (spill.value()->dropped_bytes() > 0) {
    std::fprintf(stderr, "labsweep agent: dropped a damaged tail of %llu bytes from %s\n",
                 static_cast<unsigned long long>(spill.value()->dropped_bytes()),
                 (state_dir / kSpillFile).c_str());
  }
  std::unique_ptr<Outbox> outbox(
      new Outbox(state_dir, memory_limit_bytes, std::move(spill).value()));
  if (Status s = outbox->start_sequence(); !s.is_ok()) return s;
  outbox->refill();
  return outbox;
}

Status Outbox::start_sequence() {
  uint64_t base = std::max(read_mark(state_dir_ / kSeqFile), spill_->max_seq());
  next_seq_ = base + 1;
  reserved_seq_ = base + kSeqBlock;
  return write_mark(state_dir_ / kSeqFile, reserved_seq_);
}

uint64_t Outbox::take_seq() {
  if (next_seq_ > reserved_seq_) {
    reserved_seq_ += kSeqBlock;
    if (Status s = write_mark(state_dir_ / kSeqFile, reserved_seq_); !s.is_ok()) {
      // Numbers stay unique within this run; only a restart could reuse some.
      std::fprintf(stderr, "labsweep agent: %s\n", s.message().c_str());
    }
  }
  return next_seq_++;
}

uint64_t Outbox::add(protocol::Message message) {
  uint64_t* seq = seq_of(message);
  if (!seq) std::abort();  // only data messages have sequence numbers
  *seq = take_seq();
  std::string frame = protocol::encode(message);
  bool fits = memory_bytes_ + frame.size() <= memory_limit_ || memory_.empty();
  if (spill_->unread() == 0 && fits) {
    memory_bytes_ += frame.size();
    memory_.push_back({*seq, std::move(frame)});
    return *seq;
  }
  if (Status s = spill_->append(*seq, frame); !s.is_ok()) {
    // Losing data is worse than exceeding the bound: keep it in memory, in order, after the
    // spilled messages that precede it.
    std::fprintf(stderr, "labsweep agent: %s; keeping the message in memory\n",
                 s.message().c_str());
    while (std::optional<SpillFile::Record> r = spill_->read_next()) {
      memory_bytes_ += r->frame.size();
      memory_.push_back({r->seq, std::move(r->frame)});
    }
    memory_bytes_ += frame.size();
    memory_.push_back({*seq, std::move(frame)});
  }
  return *seq;
}

void Outbox::ack(uint64_t seq) {
  while (!memory_.empty() && memory_.front().seq <= seq) {
    memory_bytes_ -= memory_.front().frame.size();
    memory_.pop_front();
    if (sent_ > 0) --sent_;
  }
  refill();
}

void Outbox::refill() {
  while (spill_->unread() > 0 && (memory_bytes_ < memory_limit_ || memory_.empty())) {
    std::optional<SpillFile::Record> record = spill_->read_next();
    if (!record) break;
    memory_bytes_ += record->frame.size();
    memory_.push_back({record->seq, std::move(record->frame)});
  }
}

void Outbox::send_pending(const std::function<bool(std::string_view frame)>& send) {
  while (sent_ < memory_.size()) {
    if (!send(memory_[sent_].frame)) return;
    ++sent_;
  }
}

}  // namespace labsweep::agent
