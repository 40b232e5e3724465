#include "protocol/msgpack_reader.h"

#include <bit>
#include <cstdio>
#include <string>
#include <vector>

namespace labsweep::protocol {
namespace {

// The head of one value: what it is, how many bytes its header takes, and then either its
// payload's size in bytes or, for a container, how many values follow it (a map: keys and values).
struct Head {
  MsgpackType type = MsgpackType::kNil;
  size_t header = 1;
  uint64_t payload = 0;  // bytes after the header
  uint64_t children = 0;
};

uint64_t read_big_endian(std::string_view bytes, size_t at, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[at + i]);
  return value;
}

// A header with its length field of `length_size` bytes; false when the bytes end inside it.
bool sized(std::string_view bytes, size_t at, MsgpackType type, size_t length_size, size_t extra,
           Head& head) {
  if (bytes.size() - at < 1 + length_size + extra) return false;
  head.type = type;
  head.header = 1 + length_size + extra;
  uint64_t length = read_big_endian(bytes, at + 1, length_size);
  if (type == MsgpackType::kArray) {
    head.children = length;
  } else if (type == MsgpackType::kMap) {
    head.children = 2 * length;
  } else {
    head.payload = length;
  }
  return true;
}

Head fixed(MsgpackType type, uint64_t payload) { return Head{type, 1, payload, 0}; }

// The head at `at` (< bytes.size()); false for the never-used byte 0xc1 or a header cut short.
bool head_at(std::string_view bytes, size_t at, Head& head) {
  auto b = static_cast<uint8_t>(bytes[at]);
  if (b <= 0x7f || b >= 0xe0) return (head = fixed(MsgpackType::kInteger, 0)), true;
  if (b <= 0x8f) return (head = Head{MsgpackType::kMap, 1, 0, 2u * (b & 0x0fu)}), true;
  if (b <= 0x9f) return (head = Head{MsgpackType::kArray, 1, 0, b & 0x0fu}), true;
  if (b <= 0xbf) return (head = fixed(MsgpackType::kString, b & 0x1fu)), true;
  switch (b) {
    case 0xc0:
      return (head = fixed(MsgpackType::kNil, 0)), true;
    case 0xc2:
    case 0xc3:
      return (head = fixed(MsgpackType::kBoolean, 0)), true;
    case 0xc4:
      return sized(bytes, at, MsgpackType::kBinary, 1, 0, head);
    case 0xc5:
      return sized(bytes, at, MsgpackType::kBinary, 2, 0, head);
    case 0xc6:
      return sized(bytes, at, MsgpackType::kBinary, 4, 0, head);
    case 0xc7:
      return sized(bytes, at, MsgpackType::kExtension, 1, 1, head);
    case 0xc8:
      return sized(bytes, at, MsgpackType::kExtension, 2, 1, head);
    case 0xc9:
      return sized(bytes, at, MsgpackType::kExtension, 4, 1, head);
    case 0xca:
      return (head = fixed(MsgpackType::kFloat, 4)), true;
    case 0xcb:
      return (head = fixed(MsgpackType::kFloat, 8)), true;
    case 0xcc:
      return (head = fixed(MsgpackType::kInteger, 1)), true;
    case 0xcd:
      return (head = fixed(MsgpackType::kInteger, 2)), true;
    case 0xce:
      return (head = fixed(MsgpackType::kInteger, 4)), true;
    case 0xcf:
      return (head = fixed(MsgpackType::kInteger, 8)), true;
    case 0xd0:
      return (head = fixed(MsgpackType::kInteger, 1)), true;
    case 0xd1:
      return (head = fixed(MsgpackType::kInteger, 2)), true;
    case 0xd2:
      return (head = fixed(MsgpackType::kInteger, 4)), true;
    case 0xd3:
      return (head = fixed(MsgpackType::kInteger, 8)), true;
    case 0xd4:
      return (head = fixed(MsgpackType::kExtension, 2)), true;
    case 0xd5:
      return (head = fixed(MsgpackType::kExtension, 3)), true;
    case 0xd6:
      return (head = fixed(MsgpackType::kExtension, 5)), true;
    case 0xd7:
      return (head = fixed(MsgpackType::kExtension, 9)), true;
    case 0xd8:
      return (head = fixed(MsgpackType::kExtension, 17)), true;
    case 0xd9:
      return sized(bytes, at, MsgpackType::kString, 1, 0, head);
    case 0xda:
      return sized(bytes, at, MsgpackType::kString, 2, 0, head);
    case 0xdb:
      return sized(bytes, at, MsgpackType::kString, 4, 0, head);
    case 0xdc:
      return sized(bytes, at, MsgpackType::kArray, 2, 0, head);
    case 0xdd:
      return sized(bytes, at, MsgpackType::kArray, 4, 0, head);
    case 0xde:
      return sized(bytes, at, MsgpackType::kMap, 2, 0, head);
    case 0xdf:
      return sized(bytes, at, MsgpackType::kMap, 4, 0, head);
    default:
      return false;  // 0xc1
  }
}

Status malformed(size_t at, const std::string& why) {
  return invalid_argument("malformed MessagePack at byte " + std::to_string(at) + ": " + why);
}

// The end of the scalar or container header at `at`, which must lie within the bytes.
bool end_of(std::string_view bytes, size_t at, const Head& head, size_t& end) {
  uint64_t left = bytes.size() - at;
  if (head.header > left || head.payload > left - head.header) return false;
  end = at + head.header + static_cast<size_t>(head.payload);
  return true;
}

}  // namespace

Status validate_msgpack(std::string_view bytes, int max_depth) {
  if (bytes.empty()) return invalid_argument("empty frame");
  // How many values are still to come at each open level; the outermost holds the one value.
  std::vector<uint64_t> pending = {1};
  size_t pos = 0;
  while (!pending.empty()) {
    if (pending.back() == 0) {
      pending.pop_back();
      continue;
    }
    --pending.back();
    if (pos >= bytes.size()) return malformed(pos, "the frame ends inside a value");
    Head head;
    size_t end = 0;
    if (!head_at(bytes, pos, head)) {
      if (static_cast<uint8_t>(bytes[pos]) == 0xc1)
        return malformed(pos, "byte 0xc1 is never used");
      return malformed(pos, "the frame ends inside a value");
    }
    if (!end_of(bytes, pos, head, end)) return malformed(pos, "the frame ends inside a value");
    if (head.type == MsgpackType::kArray || head.type == MsgpackType::kMap) {
      if (static_cast<int>(pending.size()) > max_depth) {
        return malformed(pos, "nested deeper than " + std::to_string(max_depth) + " levels");
      }
      // Each value takes a byte at least: a count beyond what is left is a lie, found out here
      // rather than after reserving anything.
      if (head.children > bytes.size() - end) {
        return malformed(pos, "the frame ends inside a value");
      }
      pending.push_back(head.children);
    }
    pos = end;
  }
  if (pos != bytes.size()) {
    return malformed(pos, std::to_string(bytes.size() - pos) + " bytes after the value");
  }
  return Status::ok();
}

bool MsgpackReader::container(uint8_t fix_base, uint8_t tag16, uint8_t tag32, uint32_t& count) {
  if (at_end()) return false;
  auto b = static_cast<uint8_t>(bytes_[pos_]);
  size_t size = 0;
  if ((b & 0xf0) == fix_base) {
    count = b & 0x0f;
  } else if (b == tag16 || b == tag32) {
    size = b == tag16 ? 2 : 4;
    if (bytes_.size() - pos_ < 1 + size) return false;
    count = static_cast<uint32_t>(read_big_endian(bytes_, pos_ + 1, size));
  } else {
    return false;
  }
  pos_ += 1 + size;
  return true;
}

bool MsgpackReader::map(uint32_t& entries) { return container(0x80, 0xde, 0xdf, entries); }

bool MsgpackReader::array(uint32_t& items) { return container(0x90, 0xdc, 0xdd, items); }

bool MsgpackReader::str(std::string_view& text) {
  Head head;
  size_t end = 0;
  if (at_end() || !head_at(bytes_, pos_, head) || head.type != MsgpackType::kString ||
      !end_of(bytes_, pos_, head, end)) {
    return false;
  }
  text = bytes_.substr(pos_ + head.header, static_cast<size_t>(head.payload));
  pos_ = end;
  return true;
}

bool MsgpackReader::boolean(bool& value) {
  if (at_end()) return false;
  auto b = static_cast<uint8_t>(bytes_[pos_]);
  if (b != 0xc2 && b != 0xc3) return false;
  value = b == 0xc3;
  ++pos_;
  return true;
}

bool MsgpackReader::peek_integer(bool& negative, uint64_t& magnitude, size_t& size) const {
  if (at_end()) return false;
  auto b = static_cast<uint8_t>(bytes_[pos_]);
  if (b <= 0x7f) {
    negative = false;
    magnitude = b;
    size = 1;
    return true;
  }
  if (b >= 0xe0) {
    negative = true;
    magnitude = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
    size = 1;
    return true;
  }
  if (b < 0xcc || b > 0xd3) return false;
  size_t width = size_t{1} << ((b - 0xcc) & 3);  // 1, 2, 4, 8 for both families
  if (bytes_.size() - pos_ < 1 + width) return false;
  uint64_t bits = read_big_endian(bytes_, pos_ + 1, width);
  size = 1 + width;
  if (b <= 0xcf) {
    negative = false;
    magnitude = bits;
    return true;
  }
  // Signed: sign-extend from its width.
  int shift = static_cast<int>(64 - 8 * width);
  auto value = static_cast<int64_t>(bits << shift) >> shift;
  negative = value < 0;
  magnitude = static_cast<uint64_t>(value);
  return true;
}

bool MsgpackReader::number(double& value) {
  if (at_end()) return false;
  auto b = static_cast<uint8_t>(bytes_[pos_]);
  if (b == 0xcb && bytes_.size() - pos_ >= 9) {
    value = std::bit_cast<double>(read_big_endian(bytes_, pos_ + 1, 8));
    pos_ += 9;
    return true;
  }
  if (b == 0xca && bytes_.size() - pos_ >= 5) {
    value = std::bit_cast<float>(static_cast<uint32_t>(read_big_endian(bytes_, pos_ + 1, 4)));
    pos_ += 5;
    return true;
  }
  bool negative = false;
  uint64_t magnitude = 0;
  size_t size = 0;
  if (!peek_integer(negative, magnitude, size)) return false;
  value = negative ? static_cast<double>(static_cast<int64_t>(magnitude))
                   : static_cast<double>(magnitude);
  pos_ += size;
  return true;
}

void MsgpackReader::skip() {
  uint64_t pending = 1;  // values still to skip, containers' contents included
  while (pending > 0 && !at_end()) {
    --pending;
    Head head;
    size_t end = 0;
    if (!head_at(bytes_, pos_, head) || !end_of(bytes_, pos_, head, end)) {
      pos_ = bytes_.size();  // unvalidated garbage: nothing more can be read
      return;
    }
    pending += head.children;
    pos_ = end;
  }
}

}  // namespace labsweep::protocol
