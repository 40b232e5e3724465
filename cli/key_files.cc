#include "cli/key_files.h"

#include <unistd.h>

#include <cstdlib>
#include <ostream>

#include "protocol/curve_keys.h"
#include "protocol/key_dir.h"

namespace labsweep::cli {

std::filesystem::path user_config_dir() {
  if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config != '\0')
    return std::filesystem::path(config) / "labsweep";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".config" / "labsweep";
}

std::filesystem::path default_key_dir() {
  if (const char* dir = std::getenv("LABSWEEP_KEY_DIR"); dir != nullptr && *dir != '\0') return dir;
  if (::geteuid() == 0) return "/etc/labsweep/keys";
  return user_config_dir() / "keys";
}

Result<protocol::CurveKeyPair> load_or_create_agent_keys(const std::filesystem::path& key_dir,
                                                         std::ostream& out) {
  protocol::KeyDir keys{key_dir};
  std::error_code error;
  if (std::filesystem::exists(keys.agent_key(), error))
    return protocol::read_key_pair(keys.agent_key());
  if (Status made = protocol::make_private_dir(key_dir); !made.is_ok()) return made;
  Result<protocol::CurveKeyPair> pair = protocol::generate_key_pair();
  if (!pair) return pair.status();
  Status written = protocol::write_key_pair(keys.agent_key(), *pair, protocol::Overwrite::kNo);
  // Another agent starting at the same moment may have made one first: use that one.
  if (written.code() == StatusCode::kFailedPrecondition)
    return protocol::read_key_pair(keys.agent_key());
  if (!written.is_ok()) return written;
  if (Status pub = protocol::write_public_key(keys.agent_public_key(), pair->public_key);
      !pub.is_ok())
    return pub;
  out << "labsweep agent: made this agent's key pair in " << keys.agent_key().string()
      << "\nlabsweep agent: its public key, to authorise on the head node:\n"
      << "  " << protocol::authorize_command(pair->public_key) << "\n";
  return pair;
}

Result<std::optional<agent::CurveClient>> agent_curve(const std::filesystem::path& key_dir,
                                                      const std::string& server_key,
                                                      const std::string& server_key_file,
                                                      std::ostream& out) {
  protocol::KeyDir keys{key_dir};
  std::string server_public = server_key;
  if (!server_public.empty()) {
    if (Status checked = protocol::check_z85_key(server_public, "--server-key"); !checked.is_ok())
      return checked;
  } else {
    std::filesystem::path file = server_key_file;
    std::error_code error;
    if (file.empty() && std::filesystem::exists(keys.server_public_key(), error))
      file = keys.server_public_key();
    if (file.empty()) return std::optional<agent::CurveClient>{};
    Result<std::string> read = protocol::read_public_key(file);
    if (!read) return read.status();
    server_public = *read;
  }
  Result<protocol::CurveKeyPair> own = load_or_create_agent_keys(key_dir, out);
  if (!own) return own.status();
  return std::optional<agent::CurveClient>(agent::CurveClient{.server_public_key = server_public,
                                                              .public_key = own->public_key,
                                                              .secret_key = own->secret_key});
}

}  // namespace labsweep::cli
