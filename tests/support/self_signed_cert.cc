#include "tests/support/self_signed_cert.h"

#include <filesystem>
#include <stdexcept>

#include "tests/support/subprocess.h"

namespace labsweep::testing {

CertificateFiles make_self_signed_certificate(const std::filesystem::path& dir,
                                              const std::string& name) {
  CertificateFiles files{dir / (name + ".crt"), dir / (name + ".key")};
  ProcessResult made =
      run_process({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                   "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                   "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", files.private_key.string(),
                   "-out", files.certificate.string()});
  if (made.exit_code != 0) throw std::runtime_error("openssl req failed: " + made.err);
  // As a lab keeps it; openssl's own mode for -keyout has changed between versions.
  std::filesystem::permissions(
      files.private_key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return files;
}

}  // namespace labsweep::testing
