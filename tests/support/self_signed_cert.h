#pragma once

// A certificate for the HTTPS tests: self-signed, for 127.0.0.1, made by the `openssl` command.

#include <filesystem>
#include <string>

namespace labsweep::testing {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM; also what a client trusts as its CA
  std::filesystem::path private_key;  // PEM, unencrypted
};

// Writes NAME.crt and NAME.key into `dir`: a P-256 key and a certificate valid for a day whose
// subject and subjectAltName are 127.0.0.1. Throws when openssl fails.
CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir,
                                              const std::string& name = "server");

}  // namespace labsweep::testing
