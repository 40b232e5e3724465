#pragma once

namespace labsweep::sweeps {

// A place in a sweep file, 1-based; line 0 means "no particular place" (a default value).
struct SourceLocation {
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

}  // namespace labsweep::sweeps
