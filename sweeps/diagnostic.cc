#include "sweeps/diagnostic.h"

#include <algorithm>
#include <utility>

namespace labsweep::sweeps {

void Diagnostics::error(SourceLocation where, std::string message, std::string parameter) {
  items_.push_back({Severity::kError, std::move(message), where, std::move(parameter)});
}

void Diagnostics::warning(SourceLocation where, std::string message, std::string parameter) {
  items_.push_back({Severity::kWarning, std::move(message), where, std::move(parameter)});
}

bool Diagnostics::has_errors() const {
  return std::any_of(items_.begin(), items_.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

namespace {

std::vector<Diagnostic> of_severity(const std::vector<Diagnostic>& items, Severity severity) {
  std::vector<Diagnostic> out;
  std::copy_if(items.begin(), items.end(), std::back_inserter(out),
               [severity](const Diagnostic& d) { return d.severity == severity; });
  return out;
}

// The 1-based line `number` of `source`, without its newline, or nullopt-like empty view when
// the file has fewer lines.
bool find_line(std::string_view source, int number, std::string_view& line) {
  size_t start = 0;
  for (int i = 1; i < number; ++i) {
    size_t nl = source.find('\n', start);
    if (nl == std::string_view::npos) return false;
    start = nl + 1;
  }
  if (start > source.size()) return false;
  size_t end = source.find('\n', start);
  line = source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

}  // namespace

std::vector<Diagnostic> Diagnostics::errors() const {
  return of_severity(items_, Severity::kError);
}

std::vector<Diagnostic> Diagnostics::warnings() const {
  return of_severity(items_, Severity::kWarning);
}

std::string format_diagnostic(std::string_view file, const Diagnostic& d) {
  std::string out(file);
  if (d.where.known()) {
    out += ':' + std::to_string(d.where.line) + ':' + std::to_string(d.where.column);
  }
  out += d.severity == Severity::kError ? ": error: " : ": warning: ";
  out += d.message;
  return out;
}

std::string format_diagnostic_with_source(std::string_view file, std::string_view source,
                                          const Diagnostic& d) {
  std::string out = format_diagnostic(file, d);
  std::string_view line;
  if (!d.where.known() || !find_line(source, d.where.line, line)) return out;
  out += "\n  ";
  out += line;
  out += "\n  ";
  // Keep tabs in the padding so that the caret lines up under tab-indented text.
  for (int i = 0; i + 1 < d.where.column && i < static_cast<int>(line.size()); ++i) {
    out += line[i] == '\t' ? '\t' : ' ';
  }
  out += '^';
  return out;
}

}  // namespace labsweep::sweeps
