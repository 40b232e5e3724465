#include "orchestrator/api_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace labsweep::orchestrator {
namespace {

constexpr size_t kTokenBytes = 32;
constexpr size_t kMaxTokenLength = 512;

Status fill_random(std::span<unsigned char> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::getrandom(bytes.data() + done, bytes.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error(std::string("getrandom: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status::ok();
}

// RFC 4648 section 5, without padding: the text stays one word with no '=' to trim.
std::string base64url(std::span<const unsigned char> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string text;
  uint32_t bits = 0;
  int held = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    held += 8;
    while (held >= 6) {
      held -= 6;
      text.push_back(kAlphabet[(bits >> held) & 63]);
    }
  }
  if (held > 0) text.push_back(kAlphabet[(bits << (6 - held)) & 63]);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("-._~+/=", c) != nullptr;
}

}  // namespace

Result<std::string> make_api_token() {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (Status filled = fill_random(bytes); !filled.is_ok()) return filled;
  std::string token = std::string(kApiTokenPrefix) + base64url(bytes);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return token;
}

bool well_formed_api_token(std::string_view token) {
  return !token.empty() && token.size() <= kMaxTokenLength &&
         std::all_of(token.begin(), token.end(),
                     [](char c) { return c != '\0' && is_token_char(c); });
}

TokenDigest api_token_digest(std::string_view token) {
  TokenDigest digest{};
  unsigned int size = 0;
  // SHA-256 cannot fail on a buffer in memory; a failure here is a broken libcrypto.
  if (EVP_Digest(token.data(), token.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size())
    std::abort();
  return digest;
}

std::string digest_hex(const TokenDigest& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * digest.size());
  for (unsigned char byte : digest) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 15]);
  }
  return text;
}

std::optional<TokenDigest> parse_digest_hex(std::string_view hex) {
  TokenDigest digest{};
  if (hex.size() != 2 * digest.size()) return std::nullopt;
  for (size_t i = 0; i < digest.size(); ++i) {
    int high = hex_value(hex[2 * i]);
    int low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return digest;
}

bool digest_is_known(const TokenDigest& digest, std::span<const TokenDigest> known) {
  int found = 0;
  for (const TokenDigest& entry : known)
    found |= CRYPTO_memcmp(digest.data(), entry.data(), digest.size()) == 0 ? 1 : 0;
  return found != 0;
}

}  // namespace labsweep::orchestrator
