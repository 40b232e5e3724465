#pragma once

// A sweep's stdout_regex, run over one line of a trial's output at a time (stdout metrics).
// Google RE2 runs it: RE2 never backtracks, so one search costs time linear in the line whatever
// the pattern, which an untrusted pattern over untrusted output needs. (Finding every match is
// one search per match, so a caller bounds the number of matches: see for_each_match.) RE2's
// syntax is Perl's without backreferences or lookaround (docs/trial-interface.md). Matching is
// const and thread-safe; the object is move-only.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace re2 {
class RE2;
}

namespace labsweep::agent {

class LineRegex {
 public:
  enum class Next { kMore, kStop };

  // One match: the text of each capturing group, empty where a group took no part (`matched`
  // says which). Views into the line, valid during the callback.
  struct Match {
    std::vector<std::string_view> groups;  // [0] is the whole match
    std::vector<bool> matched;
  };

  // Compiles `pattern` (UTF-8, RE2 syntax). The error names the pattern and gives RE2's reason.
  static Result<LineRegex> compile(const std::string& pattern);

  // Move-only; a moved-from LineRegex may only be assigned to or destroyed.
  LineRegex(LineRegex&&) noexcept;
  LineRegex& operator=(LineRegex&&) noexcept;
  ~LineRegex();

  int group_count() const;  // capturing groups, not counting the whole match

  // Calls `on_match` for every non-overlapping match, left to right. The search resumes where a
  // match ended, or one character further on after an empty match (so a pattern that can match
  // "" still ends). `^` and `\b` see the whole line, not just what is left of it. Each search
  // is linear in the rest of the line, but one may have to read to the line's end (`(\w)(.*Z)?`
  // does), so a caller that takes untrusted lines stops after a bounded number (Next::kStop).
  void for_each_match(std::string_view line,
                      const std::function<Next(const Match&)>& on_match) const;

 private:
  explicit LineRegex(std::unique_ptr<re2::RE2> re);

  std::unique_ptr<re2::RE2> re_;
};

}  // namespace labsweep::agent
