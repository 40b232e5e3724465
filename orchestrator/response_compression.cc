#include "orchestrator/response_compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>

namespace labsweep::orchestrator {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// The q of one coding's parameters (";q=0.5"); 1 when absent, 0 when malformed, so that a
// coding we cannot read is not chosen.
double quality(std::string_view params) {
  while (!params.empty()) {
    size_t semicolon = params.find(';');
    std::string_view param = trim(params.substr(0, semicolon));
    params = semicolon == std::string_view::npos ? "" : params.substr(semicolon + 1);
    if (param.size() < 2 || !iequals(param.substr(0, 2), "q=")) continue;
    std::string value(param.substr(2));
    char* end = nullptr;
    double q = std::strtod(value.c_str(), &end);
    return end == value.c_str() + value.size() && q >= 0 && q <= 1 ? q : 0;
  }
  return 1;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool wildcard = false;
  while (!accept_encoding.empty()) {
    size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? "" : accept_encoding.substr(comma + 1);
    size_t semicolon = item.find(';');
    std::string_view coding = trim(item.substr(0, semicolon));
    double q = semicolon == std::string_view::npos ? 1 : quality(item.substr(semicolon + 1));
    // An explicit gzip decides, whatever `*` says.
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) return q > 0;
    if (coding == "*") wildcard = q > 0;
  }
  return wildcard;
}

std::optional<std::string> gzip(std::string_view body) {
  if (body.size() > (size_t{1} << 30)) return std::nullopt;
  z_stream stream{};
  // 15 window bits + 16: a gzip header and trailer. Level 1: JSON's repeated keys compress
  // about sevenfold even so, at several hundred MB/s.
  if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace labsweep::orchestrator
