#pragma once

// gzip for the API's responses. httplib compresses bodies of some content types by itself, and
// prefers Brotli at its highest quality whenever a client accepts it, which every browser does:
// that costs seconds for the megabytes of a 10,000-trial listing (37 s for 5 MB here), and a
// third of a second for the dashboard's script on each fresh page. So the API's JSON and the
// dashboard's script carry content types httplib leaves alone and are compressed here instead,
// with gzip at a fast level.

#include <optional>
#include <string>
#include <string_view>

namespace labsweep::orchestrator {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";
// As cmake/EmbedFiles.cmake gives it to the dashboard's scripts.
inline constexpr std::string_view kScriptContentType = "application/javascript; charset=utf-8";

// Bodies smaller than this are sent as they are: compressing them saves less than it costs.
inline constexpr size_t kMinCompressedBytes = 1024;

// Whether an Accept-Encoding header admits gzip: a `gzip` (or `*`) coding whose q is not 0.
bool accepts_gzip(std::string_view accept_encoding);

// `body` compressed as one gzip member (RFC 1952); nullopt if zlib fails (the body then goes
// out as it is) or the body is too large for one zlib call (over 1 GiB).
std::optional<std::string> gzip(std::string_view body);

}  // namespace labsweep::orchestrator
