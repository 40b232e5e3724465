#pragma once

// Runs a program (argv, no shell) to completion and captures what it printed, for tests that
// drive the real binaries.

#include <string>
#include <string_view>
#include <vector>

namespace labsweep::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv);
// The same with `input` on its standard input, then end of file.
ProcessResult run_process(const std::vector<std::string>& argv, std::string_view input);

// The path of a binary built into build/bin (LABSWEEP_BIN_DIR, set by CTest).
std::string built_binary(const std::string& name);

}  // namespace labsweep::testing
