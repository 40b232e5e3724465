#include "agent/spill_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "protocol/codec.h"

namespace labsweep::agent {
namespace {

// A record: u32 frame length, u64 sequence number, u32 CRC-32 of the sequence number's bytes
// and the frame, then the frame; integers in the host's byte order, as the file never leaves
// the machine that wrote it.
constexpr size_t kHeaderBytes = 4 + 8 + 4;

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

uint32_t record_crc(uint64_t seq, std::string_view frame) {
  return crc32(frame, crc32(std::string_view(reinterpret_cast<const char*>(&seq), sizeof seq)));
}

bool pread_all(int fd, char* out, size_t size, uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

bool truncate_to(int fd, uint64_t size) { return ::ftruncate(fd, static_cast<off_t>(size)) == 0; }

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  crc = ~crc;
  for (char ch : data) crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

Result<std::unique_ptr<SpillFile>> SpillFile::open(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open " + path.string() + ": " + std::strerror(errno));
  std::unique_ptr<SpillFile> file(new SpillFile(fd, path));
  file->scan();
  return file;
}

SpillFile::~SpillFile() { ::close(fd_); }

void SpillFile::scan() {
  uint64_t offset = 0;
  uint64_t next = 0;
  while (std::optional<Record> record = read_at(offset, next)) {
    ++unread_;
    max_seq_ = std::max(max_seq_, record->seq);
    offset = next;
  }
  off_t end = ::lseek(fd_, 0, SEEK_END);
  uint64_t size = end > 0 ? static_cast<uint64_t>(end) : 0;
  if (size > offset) {
    dropped_bytes_ = size - offset;
    if (!truncate_to(fd_, offset)) {
      // Appending after the torn tail would hide every later record; start over instead.
      unread_ = 0;
      offset = 0;
    }
  }
  write_offset_ = offset;
}

std::optional<SpillFile::Record> SpillFile::read_at(uint64_t offset, uint64_t& next) const {
  char header[kHeaderBytes];
  if (!pread_all(fd_, header, kHeaderBytes, offset)) return std::nullopt;
  uint32_t length = 0;
  Record record;
  uint32_t crc = 0;
  std::memcpy(&length, header, 4);
  std::memcpy(&record.seq, header + 4, 8);
  std::memcpy(&crc, header + 12, 4);
  if (length > protocol::kMaxFrameBytes) return std::nullopt;  // never allocate on a torn size
  record.frame.resize(length);
  if (!pread_all(fd_, record.frame.data(), length, offset + kHeaderBytes)) return std::nullopt;
  if (record_crc(record.seq, record.frame) != crc) return std::nullopt;
  next = offset + kHeaderBytes + length;
  return record;
}

Status SpillFile::append(uint64_t seq, std::string_view frame) {
  uint32_t length = static_cast<uint32_t>(frame.size());
  uint32_t crc = record_crc(seq, frame);
  std::string bytes(kHeaderBytes, '\0');
  std::memcpy(bytes.data(), &length, 4);
  std::memcpy(bytes.data() + 4, &seq, 8);
  std::memcpy(bytes.data() + 12, &crc, 4);
  bytes.append(frame);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                         static_cast<off_t>(write_offset_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Leave no partial record behind for a later append to land after.
      static_cast<void>(truncate_to(fd_, write_offset_));
      return io_error("cannot write " + path_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  write_offset_ += bytes.size();
  ++unread_;
  max_seq_ = std::max(max_seq_, seq);
  return Status::ok();
}

std::optional<SpillFile::Record> SpillFile::read_next() {
  if (unread_ == 0) return std::nullopt;
  uint64_t next = 0;
  std::optional<Record> record = read_at(read_offset_, next);
  if (!record) {
    unread_ = 0;  // damaged since it was written: what follows cannot be trusted either
    read_offset_ = write_offset_;
    reset();
    return std::nullopt;
  }
  read_offset_ = next;
  if (--unread_ == 0) reset();
  return record;
}

void SpillFile::reset() {
  if (!truncate_to(fd_, 0)) return;  // keep appending where we were; reads stay correct
  read_offset_ = 0;
  write_offset_ = 0;
}

}  // namespace labsweep::agent
