#include "orchestrator/http_tls.h"

#include <httplib.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

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

Status configure(SSL_CTX& context, const TlsFiles& files) {
  for (const std::filesystem::path& file : {files.certificate, files.private_key})
    if (Status readable = check_readable(file); !readable.is_ok()) return readable;
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
