#include "protocol/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>

namespace labsweep::protocol {
namespace {

std::string errno_text() { return std::strerror(errno); }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Status write_all(int fd, const std::string& contents, const std::string& name) {
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(name + ": write: " + errno_text());
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return io_error(name + ": fsync: " + errno_text());
  return Status::ok();
}

std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  std::random_device random;
  return path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(random()));
}

// Root writing into another user's directory gives the file to that user.
Status give_to_directory_owner(int fd, const std::filesystem::path& path, const std::string& name) {
  if (::geteuid() != 0) return Status::ok();
  struct stat dir {};
  std::filesystem::path parent = path.parent_path().empty() ? "." : path.parent_path();
  if (::stat(parent.c_str(), &dir) != 0) return io_error(parent.string() + ": " + errno_text());
  if (dir.st_uid != 0 && ::fchown(fd, dir.st_uid, dir.st_gid) != 0)
    return io_error(name + ": chown: " + errno_text());
  return Status::ok();
}

Status write_new_file(const std::filesystem::path& path, const std::string& contents,
                      Overwrite overwrite, mode_t mode) {
  const std::string name = path.string();
  const std::string temporary = temporary_beside(path).string();
  {
    // O_EXCL: the file is ours, created with `mode` (the umask can only narrow it).
    Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode));
    if (fd.get() < 0) return io_error(temporary + ": " + errno_text());
    Status written = give_to_directory_owner(fd.get(), path, temporary);
    if (written.is_ok()) written = write_all(fd.get(), contents, temporary);
    if (!written.is_ok()) {
      ::unlink(temporary.c_str());
      return written;
    }
  }
  // link() refuses to replace an existing file, rename() replaces it atomically.
  int moved = overwrite == Overwrite::kNo ? ::link(temporary.c_str(), name.c_str())
                                          : ::rename(temporary.c_str(), name.c_str());
  int error = errno;
  ::unlink(temporary.c_str());  // after link(): the extra name; after rename(): already gone
  if (moved != 0) {
    if (error == EEXIST) return {StatusCode::kFailedPrecondition, name + ": already exists"};
    return io_error(name + ": " + std::strerror(error));
  }
  return Status::ok();
}

}  // namespace

Result<std::string> read_private_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  Fd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return io_error(name + ": " + errno_text());
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return io_error(name + ": " + errno_text());
  if (!S_ISREG(info.st_mode)) return io_error(name + ": not a regular file");
  if ((info.st_mode & 077) != 0) {
    return Status{StatusCode::kFailedPrecondition,
                  name + ": group or others may access it (mode " + mode_text(info.st_mode) +
                      "); a secret others can read is no longer secret: chmod 600 " + name +
                      " if nobody else has read it, otherwise make new keys"};
  }
  std::string contents;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(name + ": read: " + errno_text());
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  return contents;
}

Status write_private_file(const std::filesystem::path& path, const std::string& contents,
                          Overwrite overwrite) {
  return write_new_file(path, contents, overwrite, 0600);
}

Status write_public_file(const std::filesystem::path& path, const std::string& contents) {
  return write_new_file(path, contents, Overwrite::kYes, 0644);
}

Status make_private_dir(const std::filesystem::path& dir) {
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) return Status::ok();
  if (!dir.parent_path().empty() && dir.parent_path() != dir) {
    std::filesystem::create_directories(dir.parent_path(), error);
    if (error) return io_error(dir.parent_path().string() + ": " + error.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return io_error(dir.string() + ": " + errno_text());
  return Status::ok();
}

}  // namespace labsweep::protocol
