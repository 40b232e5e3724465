#pragma once

// Reads MessagePack from the network without building a document: first validate_msgpack()
// walks the whole frame once (every length within the bytes, nesting bounded, nothing after the
// value), without recursion and without reserving memory on a size the frame merely claims; then
// a MsgpackReader pulls the values out in order, straight into the caller's structures.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "base/status.h"

namespace labsweep::protocol {

enum class MsgpackType {
  kNil,
  kBoolean,
  kInteger,
  kFloat,
  kString,
  kBinary,
  kArray,
  kMap,
  kExtension
};

// OK when `bytes` are exactly one well-formed MessagePack value, with containers nested at
// most `max_depth` deep; otherwise the error names the byte offset and the problem.
Status validate_msgpack(std::string_view bytes, int max_depth);

// A cursor over validated bytes. Each typed read consumes the next value and returns true when it
// has the type asked for (an integer: and fits); otherwise it consumes nothing and returns false,
// so the caller can report the field, or skip() the value.
class MsgpackReader {
 public:
  explicit MsgpackReader(std::string_view bytes) : bytes_(bytes) {}

  bool at_end() const { return pos_ >= bytes_.size(); }
  size_t offset() const { return pos_; }
  void seek(size_t offset) { pos_ = offset; }

  bool map(uint32_t& entries);
  bool array(uint32_t& items);
  bool str(std::string_view& text);
  bool boolean(bool& value);
  bool number(double& value);  // a float, or an integer converted
  template <typename Int>
  bool integer(Int& value) {
    bool negative = false;
    uint64_t magnitude = 0;
    size_t size = 0;
    if (!peek_integer(negative, magnitude, size)) return false;
    if (negative) {
      // magnitude holds the two's complement bits of a negative int64.
      auto v = static_cast<int64_t>(magnitude);
      if constexpr (!std::numeric_limits<Int>::is_signed) return false;
      if (v < static_cast<int64_t>(std::numeric_limits<Int>::min())) return false;
      value = static_cast<Int>(v);
    } else {
      if (magnitude > static_cast<uint64_t>(std::numeric_limits<Int>::max())) return false;
      value = static_cast<Int>(magnitude);
    }
    pos_ += size;
    return true;
  }
  // Skips the next value, containers with all they hold (validated bytes: bounded depth).
  void skip();

 private:
  bool peek_integer(bool& negative, uint64_t& magnitude, size_t& size) const;
  bool container(uint8_t fix_base, uint8_t tag16, uint8_t tag32, uint32_t& count);

  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace labsweep::protocol
