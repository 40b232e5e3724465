#pragma once

// Files that hold secrets (key pairs, the authorised-keys list; docs/security.md): created with
// mode 0600 from the start and replaced atomically, and refused on read when group or others
// may read them, since a key others could read is no longer secret.
//
// A file root writes into a directory that belongs to another user is given to that user (the
// package's /etc/labsweep/keys belongs to labsweep, whose services must read the keys), and no
// link the directory's owner may have put there is followed.

#include <filesystem>
#include <string>

#include "base/status.h"

namespace labsweep::protocol {

enum class Overwrite { kNo, kYes };

// Reads the whole file; fails if it cannot be read, is not a regular file, or its mode lets
// group or others read or write it.
Result<std::string> read_private_file(const std::filesystem::path& path);

// Writes `contents` to `path` with mode 0600: into a new temporary file beside it, then moved
// into place, so that readers see the old file or the new one, never half of one, and the file
// is never readable by others, not even for a moment. With Overwrite::kNo an existing file is
// kept and the call fails.
Status write_private_file(const std::filesystem::path& path, const std::string& contents,
                          Overwrite overwrite);

// Writes `contents` to `path` with mode 0644, replacing it atomically (a public key).
Status write_public_file(const std::filesystem::path& path, const std::string& contents);

// Creates `dir` (and its parents) if missing; a directory created here gets mode 0700.
Status make_private_dir(const std::filesystem::path& dir);

}  // namespace labsweep::protocol
