#include "protocol/curve_keys.h"

#include <zmq.h>

#include <array>
#include <fstream>
#include <sstream>

namespace labsweep::protocol {
namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

bool is_blank_or_comment(std::string_view line) {
  line = trim(line);
  return line.empty() || line.front() == '#';
}

}  // namespace

Status check_z85_key(std::string_view text, const std::string& where) {
  if (text.size() != kZ85KeyLength) {
    return invalid_argument(where + ": a CURVE key is " + std::to_string(kZ85KeyLength) +
                            " Z85 characters, this one has " + std::to_string(text.size()));
  }
  size_t bad = text.find_first_not_of(kZ85Alphabet);
  if (bad != std::string_view::npos) {
    return invalid_argument(where + ": '" + std::string(1, text[bad]) + "' at column " +
                            std::to_string(bad + 1) + " is not a Z85 character");
  }
  // Five Z85 characters can spell more than 32 bits; libzmq refuses those.
  std::array<uint8_t, 32> bytes{};
  std::string copy(text);
  if (zmq_z85_decode(bytes.data(), copy.c_str()) == nullptr)
    return invalid_argument(where + ": not a valid Z85 key (a group of five overflows 32 bits)");
  return Status::ok();
}

std::string authorize_command(std::string_view public_key, std::string_view name) {
  return "labsweep keys authorize --name " + std::string(name) + " -- '" + std::string(public_key) +
         "'";
}

Result<CurveKeyPair> generate_key_pair() {
  std::array<char, kZ85KeyLength + 1> public_key{};
  std::array<char, kZ85KeyLength + 1> secret_key{};
  if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
    return Status{StatusCode::kFailedPrecondition, std::string("cannot make a CURVE key pair: ") +
                                                       zmq_strerror(zmq_errno()) +
                                                       " (is libzmq built with CURVE support?)"};
  }
  return CurveKeyPair{.public_key = public_key.data(), .secret_key = secret_key.data()};
}

std::string format_key_pair(const CurveKeyPair& keys) {
  return "# labsweep CURVE key pair (ZeroMQ Z85). Keep it secret: mode 0600.\n"
         "public " +
         keys.public_key + "\nsecret " + keys.secret_key + "\n";
}

Result<CurveKeyPair> parse_key_pair(std::string_view text, const std::string& path) {
  CurveKeyPair keys;
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (is_blank_or_comment(line)) continue;
    std::string where = path + ":" + std::to_string(number);
    std::string_view rest = trim(line);
    size_t space = rest.find_first_of(" \t");
    std::string_view word = rest.substr(0, space);
    std::string_view key = space == std::string_view::npos ? "" : trim(rest.substr(space));
    std::string* slot = word == "public"   ? &keys.public_key
                        : word == "secret" ? &keys.secret_key
                                           : nullptr;
    if (slot == nullptr) return invalid_argument(where + ": expected 'public KEY' or 'secret KEY'");
    if (!slot->empty()) return invalid_argument(where + ": a second '" + std::string(word) + "'");
    if (Status checked = check_z85_key(key, where); !checked.is_ok()) return checked;
    *slot = key;
  }
  if (keys.public_key.empty() || keys.secret_key.empty())
    return invalid_argument(path + ": needs a 'public KEY' line and a 'secret KEY' line");
  return keys;
}

Result<CurveKeyPair> read_key_pair(const std::filesystem::path& path) {
  Result<std::string> text = read_private_file(path);
  if (!text) return text.status();
  return parse_key_pair(*text, path.string());
}

Status write_key_pair(const std::filesystem::path& path, const CurveKeyPair& keys,
                      Overwrite overwrite) {
  return write_private_file(path, format_key_pair(keys), overwrite);
}

Result<std::string> read_public_key(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return io_error(path.string() + ": cannot read it");
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (is_blank_or_comment(line)) continue;
    std::string key(trim(line));
    Status checked = check_z85_key(key, path.string() + ":" + std::to_string(number));
    if (!checked.is_ok()) return checked;
    return key;
  }
  return invalid_argument(path.string() + ": holds no key");
}

Status write_public_key(const std::filesystem::path& path, const std::string& public_key) {
  return write_public_file(path, public_key + "\n");
}

}  // namespace labsweep::protocol
