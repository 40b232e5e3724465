#include "agent/stderr_tail.h"

#include <fstream>

namespace labsweep::agent {

std::string stderr_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return {};
  std::streamoff size = in.tellg();
  if (size <= 0) return {};
  std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                             ? size - static_cast<std::streamoff>(max_bytes)
                             : 0;
  // One byte more than kept, to see whether the kept part starts at a line boundary.
  std::streamoff read_from = start > 0 ? start - 1 : 0;
  std::string text(static_cast<size_t>(size - read_from), '\0');
  in.seekg(read_from);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (start == 0) return text;
  if (!text.empty() && text[0] == '\n') return text.substr(1);
  size_t newline = text.find('\n');
  // A line longer than the whole tail: keep its end rather than nothing.
  if (newline == std::string::npos || newline + 1 >= text.size()) return text.substr(1);
  return text.substr(newline + 1);
}

}  // namespace labsweep::agent
