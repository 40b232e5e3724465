#pragma once

// HTTPS for the HTTP API (docs/http-api.md "Security"): an httplib server that speaks TLS 1.2 or
// later with a certificate chain and private key read from PEM files.

#include <filesystem>
#include <memory>

#include "base/status.h"

namespace httplib {
class Server;
}

namespace labsweep::orchestrator {

struct TlsFiles {
  std::filesystem::path certificate;  // PEM: the server's certificate, then any intermediates
  std::filesystem::path private_key;  // PEM, unencrypted
};

// The server, not yet bound. Fails, naming the file, when a file cannot be read or parsed or
// the key does not belong to the certificate.
Result<std::unique_ptr<httplib::Server>> make_tls_server(const TlsFiles& files);

}  // namespace labsweep::orchestrator
