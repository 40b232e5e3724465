#include "orchestrator/http_tls.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace labsweep::orchestrator {
namespace {

// OpenSSL's reason for the last failure, and an empty error queue for the next caller.
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

Status tls_failure(const std::filesystem::path& file, const std::string& what) {
  return invalid_argument(file.string() + ": " + what + " (" + openssl_reason() + ")");
}

// OpenSSL reports a missing file as "system lib"; say which file and why.
Status check_readable(const std::filesystem::path& file) {
  std::FILE* opened = std::fopen(file.c_str(), "r");
  if (opened == nullptr) return io_error(file.string() + ": " + std::strerror(errno));
  std::fclose(opened);
  return Status::ok();
}

// A private key others can read is no longer private. Its group may read it: Debian hands keys
// to services through the ssl-cert group (/etc/ssl/private, mode 0640).
Status check_key_mode(const std::filesystem::path& key) {
  struct stat info {};
  if (::stat(key.c_str(), &info) != 0) return io_error(key.string() + ": " + std::strerror(errno));
  constexpr mode_t kTooOpen = S_IROTH | S_IWOTH | S_IWGRP;
  if ((info.st_mode & kTooOpen) == 0) return Status::ok();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
  return Status{StatusCode::kFailedPrecondition,
                key.string() + ": the private key is mode " + mode +
                    ", open to others; chmod 600 (or 640 for a group of readers)"};
}

Status configure(SSL_CTX& context, const TlsFiles& files) {
  for (const std::filesystem::path& file : {files.certificate, files.private_key})
    if (Status readable = check_readable(file); !readable.is_ok()) return readable;
  if (Status mode = check_key_mode(files.private_key); !mode.is_ok()) return mode;
  // TLS 1.0 and 1.1 are deprecated (RFC 8996); compression invites CRIME.
  if (SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION) != 1)
    return io_error("TLS: cannot require TLS 1.2 (" + openssl_reason() + ")");
  SSL_CTX_set_options(&context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  const std::string certificate = files.certificate.string();
  const std::string key = files.private_key.string();
  if (SSL_CTX_use_certificate_chain_file(&context, certificate.c_str()) != 1)
    return tls_failure(files.certificate, "cannot be used as a PEM certificate");
  if (SSL_CTX_use_PrivateKey_file(&context, key.c_str(), SSL_FILETYPE_PEM) != 1)
    return tls_failure(files.private_key, "cannot be used as the certificate's PEM private key");
  if (SSL_CTX_check_private_key(&context) != 1)
    return tls_failure(files.private_key, "does not belong to the certificate " + certificate);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<httplib::Server>> make_tls_server(const TlsFiles& files) {
  Status configured = io_error("TLS: cannot make an OpenSSL context");
  auto server = std::make_unique<httplib::SSLServer>([&](SSL_CTX& context) {
    configured = configure(context, files);
    return configured.is_ok();
  });
  if (!configured.is_ok()) return configured;
  if (!server->is_valid()) return io_error("TLS: the HTTPS server could not be set up");
  return std::unique_ptr<httplib::Server>(std::move(server));
}

}  // namespace labsweep::orchestrator
