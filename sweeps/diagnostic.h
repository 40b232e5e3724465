#pragma once

// Errors and warnings about a sweep file. Each names its place (line and column), and the
// parameter it concerns where there is one; several are collected so that a user sees every
// problem of a file at once.

#include <string>
#include <string_view>
#include <vector>

#include "sweeps/source_location.h"

namespace labsweep::sweeps {

enum class Severity { kWarning, kError };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string message;
  SourceLocation where;
  std::string parameter;  // dotted path of the parameter concerned, or empty
};

class Diagnostics {
 public:
  void error(SourceLocation where, std::string message, std::string parameter = {});
  void warning(SourceLocation where, std::string message, std::string parameter = {});

  bool has_errors() const;
  const std::vector<Diagnostic>& all() const { return items_; }
  std::vector<Diagnostic> errors() const;
  std::vector<Diagnostic> warnings() const;

 private:
  std::vector<Diagnostic> items_;
};

// "FILE:LINE:COL: error: MESSAGE" as compilers print it; without a location, "FILE: error: ...".
std::string format_diagnostic(std::string_view file, const Diagnostic& d);

// format_diagnostic followed by the offending source line and a caret under the column, when
// the location is known and the line exists in `source`.
std::string format_diagnostic_with_source(std::string_view file, std::string_view source,
                                          const Diagnostic& d);

}  // namespace labsweep::sweeps
