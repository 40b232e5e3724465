#include "protocol/msgpack_writer.h"

#include <bit>

namespace labsweep::protocol {

void MsgpackWriter::big_endian(uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    byte(static_cast<uint8_t>(value >> shift));
  }
}

void MsgpackWriter::header(uint32_t size, uint8_t fix_base, uint32_t fix_limit, uint8_t tag16,
                           uint8_t tag32) {
  if (size < fix_limit) {
    byte(static_cast<uint8_t>(fix_base | size));
  } else if (size <= 0xffff) {
    byte(tag16);
    big_endian(size, 2);
  } else {
    byte(tag32);
    big_endian(size, 4);
  }
}

void MsgpackWriter::map(uint32_t entries) { header(entries, 0x80, 16, 0xde, 0xdf); }

void MsgpackWriter::array(uint32_t items) { header(items, 0x90, 16, 0xdc, 0xdd); }

void MsgpackWriter::str(std::string_view text) {
  auto size = static_cast<uint32_t>(text.size());
  if (size < 32) {
    byte(static_cast<uint8_t>(0xa0 | size));
  } else if (size <= 0xff) {
    byte(0xd9);
    byte(static_cast<uint8_t>(size));
  } else {
    header(size, 0, 0, 0xda, 0xdb);
  }
  out_.append(text);
}

void MsgpackWriter::unsigned_integer(uint64_t value) {
  if (value < 128) {
    byte(static_cast<uint8_t>(value));  // positive fixint
  } else if (value <= 0xff) {
    byte(0xcc);
    big_endian(value, 1);
  } else if (value <= 0xffff) {
    byte(0xcd);
    big_endian(value, 2);
  } else if (value <= 0xffffffff) {
    byte(0xce);
    big_endian(value, 4);
  } else {
    byte(0xcf);
    big_endian(value, 8);
  }
}

void MsgpackWriter::integer(int64_t value) {
  if (value >= 0) return unsigned_integer(static_cast<uint64_t>(value));
  auto bits = static_cast<uint64_t>(value);
  if (value >= -32) {
    byte(static_cast<uint8_t>(bits));  // negative fixint
  } else if (value >= INT8_MIN) {
    byte(0xd0);
    big_endian(bits, 1);
  } else if (value >= INT16_MIN) {
    byte(0xd1);
    big_endian(bits, 2);
  } else if (value >= INT32_MIN) {
    byte(0xd2);
    big_endian(bits, 4);
  } else {
    byte(0xd3);
    big_endian(bits, 8);
  }
}

void MsgpackWriter::float64(double value) {
  byte(0xcb);
  big_endian(std::bit_cast<uint64_t>(value), 8);
}

void MsgpackWriter::boolean(bool value) { byte(value ? 0xc3 : 0xc2); }

}  // namespace labsweep::protocol
