#pragma once

// A fresh directory per test, removed with everything in it when the test ends.

#include <filesystem>
#include <string>
#include <string_view>

namespace labsweep::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `contents` to `name` inside the directory and returns the file's full path.
  std::string write(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace labsweep::testing
