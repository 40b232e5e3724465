#include "agent/stderr_tail.h"

#include <sys/stat.h>
#include <unistd.h>

#include "agent/trial_file.h"
#include "agent/unique_fd.h"

namespace labsweep::agent {

std::string stderr_tail(const std::filesystem::path& path, std::size_t max_bytes) {
  UniqueFd fd(open_trial_file(path));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || st.st_size <= 0) return {};
  const off_t size = st.st_size;
  const off_t start =
      size > static_cast<off_t>(max_bytes) ? size - static_cast<off_t>(max_bytes) : 0;
  // One byte more than kept, to see whether the kept part starts at a line boundary.
  const off_t read_from = start > 0 ? start - 1 : 0;
  std::string text(static_cast<size_t>(size - read_from), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::pread(fd.get(), text.data() + got, text.size() - got,
                        read_from + static_cast<off_t>(got));
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  if (start == 0) return text;
  if (!text.empty() && text[0] == '\n') return text.substr(1);
  size_t newline = text.find('\n');
  // A line longer than the whole tail: keep its end rather than nothing.
  if (newline == std::string::npos || newline + 1 >= text.size()) return text.substr(1);
  return text.substr(newline + 1);
}

}  // namespace labsweep::agent
