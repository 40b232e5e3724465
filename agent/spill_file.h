#pragma once

// The outbox's overflow on disk: an append-only file of encoded messages, read back in the
// order written (docs/agent.md, "Outbox"). Each record carries its length, its sequence number
// and a CRC-32, so that a tail torn by a crash is detected and dropped, never misread. Not
// thread-safe.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace labsweep::agent {

class SpillFile {
 public:
  struct Record {
    uint64_t seq = 0;
    std::string frame;
  };

  // Opens or creates the file. Intact records an earlier run left are kept, unread; a corrupted
  // or partial tail is cut off (dropped_bytes() says how much).
  static Result<std::unique_ptr<SpillFile>> open(const std::filesystem::path& path);
  ~SpillFile();
  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;

  Status append(uint64_t seq, std::string_view frame);
  // The oldest record not read back yet; nullopt when none is left. Once every record has been
  // read back the file is emptied, so that it does not grow while the orchestrator comes and
  // goes. A record found damaged now ends the file as a torn tail does.
  std::optional<Record> read_next();

  size_t unread() const { return unread_; }
  uint64_t max_seq() const { return max_seq_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  SpillFile(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  // Reads the record at `offset`; nullopt when it is missing, partial or damaged.
  std::optional<Record> read_at(uint64_t offset, uint64_t& next_offset) const;
  void scan();
  void reset();

  int fd_;
  std::filesystem::path path_;
  uint64_t read_offset_ = 0;
  uint64_t write_offset_ = 0;
  size_t unread_ = 0;
  uint64_t max_seq_ = 0;
  uint64_t dropped_bytes_ = 0;
};

// CRC-32 (IEEE 802.3, as zlib's crc32) of `data`, continuing from `crc`.
uint32_t crc32(std::string_view data, uint32_t crc = 0);

}  // namespace labsweep::agent
