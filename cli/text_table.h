#pragma once

// A plain-text table with columns padded to their widest cell, as the CLI prints them.

#include <string>
#include <vector>

namespace labsweep::cli {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // The table, each line starting with `indent` and ending with a newline.
  std::string render(const std::string& indent = "  ") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace labsweep::cli
