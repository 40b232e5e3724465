#pragma once

// One token of the HTTP API (docs/security.md "HTTP API"): how a new one is made, the SHA-256
// digest that the server keeps instead of the token, and the comparison of a presented token's
// digest with the known ones, in constant time.

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace labsweep::orchestrator {

// Every token labsweep makes starts with this, so that one pasted in the wrong place is
// recognisable (and found by secret scanners).
inline constexpr std::string_view kApiTokenPrefix = "lst_";

using TokenDigest = std::array<unsigned char, 32>;

// A new token: kApiTokenPrefix and 43 base64url characters holding 32 bytes from the kernel's
// CSPRNG (getrandom(2)). Fails only when the kernel cannot give them.
Result<std::string> make_api_token();

// Whether `token` can be a token: 1 to 512 of the characters RFC 6750 allows in a bearer token
// (letters, digits, "-._~+/="). Anything else (a space, a control character) could not travel
// in a header.
bool well_formed_api_token(std::string_view token);

TokenDigest api_token_digest(std::string_view token);

// 64 lower-case hexadecimal digits, as the token file holds them.
std::string digest_hex(const TokenDigest& digest);
// The digest written as 64 hexadecimal digits (either case); nullopt for anything else.
std::optional<TokenDigest> parse_digest_hex(std::string_view hex);

// Whether `digest` is one of `known`. Every entry is compared, each in constant time, so the
// time taken says nothing about which entry or how many bytes matched.
bool digest_is_known(const TokenDigest& digest, std::span<const TokenDigest> known);

}  // namespace labsweep::orchestrator
