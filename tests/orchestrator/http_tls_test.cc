// The HTTP API over HTTPS (docs/http-api.md "Security"): a self-signed certificate made for the
// test, real TLS connections, and the errors for files that cannot be used.

#include <gmock/gmock.h>

#include "orchestrator/api_token_gate.h"
#include "orchestrator/api_tokens.h"
#include "tests/orchestrator/http_api_fixture.h"
#include "tests/support/self_signed_cert.h"

namespace labsweep::orchestrator::testing {
namespace {

using labsweep::testing::CertificateFiles;
using labsweep::testing::make_self_signed_certificate;
using ::testing::HasSubstr;

class HttpTlsTest : public HttpApiTest {
 protected:
  void SetUp() override {
    cert_ = make_self_signed_certificate(dir_.path());
    start_api(HttpApiOptions{.tls = tls_files()});
  }

  TlsFiles tls_files() const { return {cert_.certificate, cert_.private_key}; }

  // A client that trusts the test's certificate, as $LABSWEEP_CA_FILE makes the CLI do.
  std::unique_ptr<httplib::SSLClient> trusting_client() const {
    auto client = std::make_unique<httplib::SSLClient>("127.0.0.1", port_);
    client->set_ca_cert_path(cert_.certificate.c_str());
    client->enable_server_certificate_verification(true);
    return client;
  }

  // Starts an API with `files` and returns why it failed.
  std::string start_failure(TlsFiles files) {
    HttpApi api(dir_.path() / "labsweep.db", *control_, HttpApiOptions{.tls = std::move(files)});
    Result<int> port = api.start("127.0.0.1", 0);
    return port.is_ok() ? "started" : port.status().message();
  }

  CertificateFiles cert_;
};

TEST_F(HttpTlsTest, ServesTheApiOverHttps) {
  auto client = trusting_client();
  httplib::Result health = client->Get("/api/v1/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, R"({"status":"ok"})");
  // The page's own origin is https:// now.
  httplib::Result stop = client->Post("/api/v1/sweeps/1/stop",
                                      {{"Origin", "https://127.0.0.1:" + std::to_string(port_)}},
                                      "{}", "application/json");
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->status, 200);
}

TEST_F(HttpTlsTest, AClientThatDoesNotTrustTheCertificateStops) {
  httplib::SSLClient client("127.0.0.1", port_);
  client.set_ca_cert_path((dir_.path() / "no-such-ca.pem").c_str());
  client.enable_server_certificate_verification(true);
  httplib::Result refused = client.Get("/api/v1/health");
  EXPECT_FALSE(refused);
  // Without verification (as a test client may), it gets through.
  httplib::SSLClient unverified("127.0.0.1", port_);
  unverified.enable_server_certificate_verification(false);
  httplib::Result health = unverified.Get("/api/v1/health");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpTlsTest, PlainHttpOnTheHttpsPortGetsNoAnswer) {
  client_->set_read_timeout(std::chrono::seconds(5));
  httplib::Result plain = client_->Get("/api/v1/health");
  EXPECT_TRUE(!plain || plain->status != 200);
}

TEST_F(HttpTlsTest, TokensAreAskedForOverHttpsToo) {
  ApiTokens tokens;
  ASSERT_TRUE(tokens.add({.name = "alice", .digest = api_token_digest("lst_alice")}).is_ok());
  ASSERT_TRUE(tokens.write(dir_.path() / "api_tokens").is_ok());
  auto gate = ApiTokenGate::open(dir_.path() / "api_tokens");
  ASSERT_TRUE(gate.is_ok()) << gate.status().message();
  start_api(HttpApiOptions{.tokens = gate->get(), .tls = tls_files()});
  auto client = trusting_client();
  httplib::Result without = client->Get("/api/v1/sweeps");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  client->set_bearer_token_auth("lst_alice");
  httplib::Result with = client->Get("/api/v1/sweeps");
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 200);
  client.reset();
  api_.reset();  // before the gate goes
}

TEST_F(HttpTlsTest, FilesThatCannotBeUsedAreNamedInTheError) {
  const std::filesystem::path missing = dir_.path() / "missing.pem";
  EXPECT_EQ(start_failure({missing, cert_.private_key}),
            missing.string() + ": No such file or directory");
  EXPECT_EQ(start_failure({cert_.certificate, missing}),
            missing.string() + ": No such file or directory");
  EXPECT_THAT(start_failure({cert_.private_key, cert_.private_key}),
              HasSubstr(cert_.private_key.string() + ": cannot be used as a PEM certificate"));
  const std::filesystem::path not_a_key = dir_.path() / "not-a-key.pem";
  std::filesystem::copy_file(cert_.certificate, not_a_key);
  std::filesystem::permissions(not_a_key, std::filesystem::perms::owner_read);
  EXPECT_THAT(
      start_failure({cert_.certificate, not_a_key}),
      HasSubstr(not_a_key.string() + ": cannot be used as the certificate's PEM private key"));
  CertificateFiles other = make_self_signed_certificate(dir_.path(), "other");
  EXPECT_THAT(start_failure({cert_.certificate, other.private_key}),
              HasSubstr(other.private_key.string() + ": cannot be used as the certificate's"));
}

TEST_F(HttpTlsTest, AKeyOthersCanReadIsRefusedAndOneItsGroupCanReadIsNot) {
  using std::filesystem::perms;
  std::filesystem::permissions(cert_.private_key, perms::owner_read | perms::others_read);
  EXPECT_EQ(start_failure(tls_files()),
            cert_.private_key.string() +
                ": the private key is mode 0404, open to others; chmod 600 (or 640 for a group "
                "of readers)");
  std::filesystem::permissions(cert_.private_key,
                               perms::owner_read | perms::owner_write | perms::group_write);
  EXPECT_THAT(start_failure(tls_files()), HasSubstr("mode 0620, open to others"));
  std::filesystem::permissions(cert_.private_key,
                               perms::owner_read | perms::owner_write | perms::group_read);
  EXPECT_EQ(start_failure(tls_files()), "started");
}

}  // namespace
}  // namespace labsweep::orchestrator::testing
