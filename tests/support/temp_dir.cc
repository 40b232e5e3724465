#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <fstream>
#include <stdexcept>

namespace labsweep::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "labsweep-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::write(std::string_view name, std::string_view contents) const {
  std::filesystem::path file = path_ / name;
  std::ofstream(file, std::ios::binary) << contents;
  return file.string();
}

}  // namespace labsweep::testing
