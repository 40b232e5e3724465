#include "orchestrator/utf8_tail.h"

#include <cstddef>
#include <cstdint>

namespace labsweep::orchestrator {
namespace {

// How many bytes a character starting with `lead` has; 0 for a byte that cannot start one.
size_t sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

bool is_continuation(uint8_t byte) { return (byte & 0xc0) == 0x80; }

}  // namespace

std::string_view without_partial_character(std::string_view text) {
  // The last lead byte within the last 3 bytes, past any continuation bytes after it.
  const size_t n = text.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto byte = static_cast<uint8_t>(text[n - back]);
    if (is_continuation(byte)) continue;
    const size_t length = sequence_length(byte);
    if (length > back) return text.substr(0, n - back);  // its other bytes are still to come
    return text;
  }
  return text;
}

}  // namespace labsweep::orchestrator
