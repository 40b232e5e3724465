#pragma once

// Writes MessagePack straight into a byte string, value by value, in the smallest encoding of
// each (as the format recommends), so that a message of thousands of metric points is encoded
// without building a document first. The caller writes well-formed structure: a map header
// announcing n entries is followed by n keys and n values.

#include <cstdint>
#include <string>
#include <string_view>

namespace labsweep::protocol {

class MsgpackWriter {
 public:
  void map(uint32_t entries);
  void array(uint32_t items);
  void str(std::string_view text);
  void integer(int64_t value);
  void unsigned_integer(uint64_t value);
  void float64(double value);  // always 8 bytes: values round-trip exactly, NaN and infinities too
  void boolean(bool value);

  // A map entry whose key is a string.
  template <typename Value>
  void entry(std::string_view key, const Value& value) {
    str(key);
    put(value);
  }

  const std::string& bytes() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void put(std::string_view v) { str(v); }
  void put(const std::string& v) { str(v); }
  void put(const char* v) { str(v); }
  void put(bool v) { boolean(v); }
  void put(double v) { float64(v); }
  void put(uint64_t v) { unsigned_integer(v); }
  void put(int64_t v) { integer(v); }
  void put(int v) { integer(v); }

  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void big_endian(uint64_t value, int bytes);
  void header(uint32_t size, uint8_t fix_base, uint32_t fix_limit, uint8_t tag16, uint8_t tag32);

  std::string out_;
};

}  // namespace labsweep::protocol
