#include "agent/line_regex.h"

#include <re2/re2.h>

namespace labsweep::agent {
namespace {

// The bytes of the UTF-8 character that starts at `pos` (1 for a stray or truncated byte), so
// that stepping past an empty match never lands inside a character.
std::size_t char_length(std::string_view text, std::size_t pos) {
  unsigned char lead = static_cast<unsigned char>(text[pos]);
  std::size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  std::size_t n = 1;
  while (n < want && pos + n < text.size() &&
         (static_cast<unsigned char>(text[pos + n]) & 0xC0) == 0x80) {
    ++n;
  }
  return n;
}

}  // namespace

Result<LineRegex> LineRegex::compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);  // RE2 would print the error to stderr; we return it instead
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) {
    return invalid_argument("stdout_regex '" + pattern +
                            "' is not a valid regular expression (RE2 syntax): " + re->error());
  }
  return LineRegex(std::move(re));
}

LineRegex::LineRegex(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
LineRegex::LineRegex(LineRegex&&) noexcept = default;
LineRegex& LineRegex::operator=(LineRegex&&) noexcept = default;
LineRegex::~LineRegex() = default;

int LineRegex::group_count() const { return re_->NumberOfCapturingGroups(); }

void LineRegex::for_each_match(std::string_view line,
                               const std::function<Next(const Match&)>& on_match) const {
  // RE2 tells a group that took no part (null data) from one that matched "" (data inside the
  // text) only when the text itself is not null.
  if (line.data() == nullptr) line = std::string_view("", 0);
  const re2::StringPiece text(line.data(), line.size());
  const std::size_t slots = std::size_t(group_count()) + 1;
  std::vector<re2::StringPiece> found(slots);
  Match m;
  std::size_t start = 0;
  while (start <= line.size() &&
         re_->Match(text, start, line.size(), RE2::UNANCHORED, found.data(), int(slots))) {
    m.groups.assign(slots, {});
    m.matched.assign(slots, false);
    for (std::size_t g = 0; g < slots; ++g) {
      if (found[g].data() == nullptr) continue;
      m.groups[g] = std::string_view(found[g].data(), found[g].size());
      m.matched[g] = true;
    }
    if (on_match(m) == Next::kStop) return;
    std::size_t end = std::size_t(found[0].data() - line.data()) + found[0].size();
    if (!found[0].empty()) {
      start = end;
    } else if (end < line.size()) {
      start = end + char_length(line, end);
    } else {
      break;  // an empty match at the end of the line is the last one
    }
  }
}

}  // namespace labsweep::agent
