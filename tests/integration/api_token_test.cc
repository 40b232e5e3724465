// The HTTP API's tokens and HTTPS with the real binaries (docs/security.md "HTTP API"): tokens
// made by `labsweep tokens`, a `labsweep server` that requires them off loopback, the CLI sending
// them from $LABSWEEP_TOKEN or the file `labsweep login` writes, a server with a certificate,
// and, as root, a client in another network namespace.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>

#include "tests/integration/netns_link.h"
#include "tests/support/background_process.h"
#include "tests/support/self_signed_cert.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace labsweep::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class ApiTokenTest : public ::testing::Test {
 protected:
  std::string key_dir() const { return (dir_.path() / "keys").string(); }
  std::filesystem::path config_dir() const { return dir_.path() / "config"; }
  std::filesystem::path token_file() const { return config_dir() / "labsweep" / "token"; }

  // `labsweep ARGS`, with this test's configuration directory and the environment `env`
  // ("NAME=VALUE") instead of the caller's token and URL; `input` on its stdin.
  ProcessResult labsweep(std::vector<std::string> args, std::vector<std::string> env = {},
                         std::string_view input = "") {
    std::vector<std::string> argv = {
        "/usr/bin/env", "-u", "LABSWEEP_TOKEN",   "-u",
        "LABSWEEP_URL", "-u", "LABSWEEP_CA_FILE", "XDG_CONFIG_HOME=" + config_dir().string()};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(built_binary("labsweep"));
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, input);
  }

  std::string create_token(const std::string& name) {
    ProcessResult made = labsweep({"tokens", "create", name, "--key-dir", key_dir()});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    std::string token = made.out;
    while (!token.empty() && token.back() == '\n') token.pop_back();
    return token;
  }

  std::vector<std::string> server_argv(const std::vector<std::string>& extra) const {
    std::vector<std::string> argv = {built_binary("labsweep"),
                                     "server",
                                     "--db",
                                     (dir_.path() / "lab.db").string(),
                                     "--agents",
                                     "ipc://" + (dir_.path() / "agents.sock").string(),
                                     "--http-port",
                                     "0",
                                     "--key-dir",
                                     key_dir()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  // Starts the server; its API's scheme and port, read from its first line.
  void start_server(const std::vector<std::string>& extra) {
    server_.reset();
    server_ = std::make_unique<BackgroundProcess>(
        server_argv(extra), dir_.path() / ("server-" + std::to_string(++server_starts_)));
    ASSERT_TRUE(server_->wait_for_err("/ (database", std::chrono::seconds(20))) << server_->err();
    std::smatch match;
    std::string err = server_->err();
    ASSERT_TRUE(std::regex_search(err, match, std::regex("at (https?)://(\\S+):([0-9]+)/")));
    scheme_ = match[1];
    port_ = std::stoi(match[3]);
  }

  // What the server said when it refused to start.
  ProcessResult refused_start(const std::vector<std::string>& extra) {
    return run_process(server_argv(extra));
  }

  std::string local_url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }

  // GET `path` on 127.0.0.1 with `headers`; the status, or 0 without an answer.
  int status_of(const std::string& path, httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", port_);
    httplib::Result result = client.Get(path.c_str(), headers);
    return result ? result->status : 0;
  }

  TempDir dir_;
  std::unique_ptr<BackgroundProcess> server_;
  int server_starts_ = 0;
  std::string scheme_;
  int port_ = 0;
};

httplib::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

TEST_F(ApiTokenTest, TokensAreMadeShownOnceListedAndRevoked) {
  ProcessResult made = labsweep({"tokens", "create", "alice", "--key-dir", key_dir()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_THAT(made.out, MatchesRegex("lst_[A-Za-z0-9_-]{43}\n"));
  EXPECT_THAT(made.err, HasSubstr("shown only this once"));
  const std::string token = made.out.substr(0, made.out.size() - 1);
  create_token("ci.bot");

  // The file holds digests, never a token, and only its owner may read it.
  const std::filesystem::path file = std::filesystem::path(key_dir()) / "api_tokens";
  EXPECT_THAT(file_text(file), Not(HasSubstr(token)));
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  ProcessResult listed = labsweep({"tokens", "ls", "--key-dir", key_dir()});
  EXPECT_EQ(listed.out, "alice\nci.bot\n");
  ProcessResult again = labsweep({"tokens", "create", "alice", "--key-dir", key_dir()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("a token named 'alice' exists"));
  EXPECT_EQ(again.out, "");
  ProcessResult bad_name = labsweep({"tokens", "create", "al ice", "--key-dir", key_dir()});
  EXPECT_EQ(bad_name.exit_code, 2);
  EXPECT_THAT(bad_name.err, HasSubstr("name 'al ice' must be 1 to 64 letters"));

  ProcessResult revoked = labsweep({"tokens", "revoke", "alice", "--key-dir", key_dir()});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  EXPECT_EQ(labsweep({"tokens", "ls", "--key-dir", key_dir()}).out, "ci.bot\n");
  ProcessResult unknown = labsweep({"tokens", "revoke", "alice", "--key-dir", key_dir()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no token is named 'alice'"));
}

TEST_F(ApiTokenTest, TheServerRefusesToStartOffLoopbackWithoutATokenToCheck) {
  ProcessResult none = refused_start({"--http-host", "0.0.0.0"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err,
              HasSubstr("the HTTP API on 0.0.0.0 is not on loopback, so it requires a token, but "
                        "it has none to check: " +
                        key_dir() + "/api_tokens does not exist"));
  EXPECT_THAT(none.err, HasSubstr("(make one with `labsweep tokens create NAME`)"));

  create_token("alice");
  ASSERT_EQ(labsweep({"tokens", "revoke", "alice", "--key-dir", key_dir()}).exit_code, 0);
  ProcessResult empty = refused_start({"--http-host", "0.0.0.0"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("api_tokens holds no token"));

  create_token("bob");
  ASSERT_EQ(::chmod((key_dir() + "/api_tokens").c_str(), 0644), 0);
  ProcessResult open_file = refused_start({"--http-host", "0.0.0.0"});
  EXPECT_EQ(open_file.exit_code, 1);
  EXPECT_THAT(open_file.err, HasSubstr("group or others may access it (mode 0644)"));

  std::filesystem::remove(key_dir() + "/api_tokens");
  ProcessResult required = refused_start({"--require-token"});
  EXPECT_EQ(required.exit_code, 1);
  EXPECT_THAT(required.err, HasSubstr("the HTTP API requires a token (--require-token)"));
}

TEST_F(ApiTokenTest, OffLoopbackTheApiRefusesRequestsWithoutTheRightToken) {
  const std::string alice = create_token("alice");
  const std::string bob = create_token("bob");
  ASSERT_NO_FATAL_FAILURE(start_server({"--http-host", "0.0.0.0"}));
  EXPECT_THAT(server_->err(), HasSubstr("API tokens required"));

  EXPECT_EQ(status_of("/api/v1/sweeps"), 401);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer("lst_wrong")), 401);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer(alice + "x")), 401);
  httplib::Headers foreign = bearer(alice);
  foreign.emplace("Origin", "http://evil.example");
  EXPECT_EQ(status_of("/api/v1/sweeps", foreign), 403);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer(alice)), 200);
  EXPECT_EQ(status_of("/"), 200);  // the page, which then asks for the token

  ASSERT_EQ(labsweep({"tokens", "revoke", "alice", "--key-dir", key_dir()}).exit_code, 0);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer(alice)), 401);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer(bob)), 200);
  // No token reached the log.
  EXPECT_THAT(server_->err(), Not(HasSubstr(alice)));
  EXPECT_THAT(server_->err(), Not(HasSubstr(bob)));
}

TEST_F(ApiTokenTest, OnLoopbackTheServerRunsOpenUnlessTold) {
  ASSERT_NO_FATAL_FAILURE(start_server({}));
  EXPECT_EQ(status_of("/api/v1/sweeps"), 200);
  EXPECT_THAT(server_->err(), Not(HasSubstr("API tokens required")));
  const std::string alice = create_token("alice");
  ASSERT_NO_FATAL_FAILURE(start_server({"--require-token"}));
  EXPECT_EQ(status_of("/api/v1/sweeps"), 401);
  EXPECT_EQ(status_of("/api/v1/sweeps", bearer(alice)), 200);
}

TEST_F(ApiTokenTest, TheCliSendsTheTokenFromTheEnvironmentOrFromLogin) {
  const std::string alice = create_token("alice");
  ASSERT_NO_FATAL_FAILURE(start_server({"--require-token"}));
  const std::string url = local_url();

  ProcessResult without = labsweep({"ls", "--url", url});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_THAT(without.err, HasSubstr("this server requires an API token"));
  EXPECT_THAT(without.err, HasSubstr("run `labsweep login --url " + url + "`"));
  ProcessResult from_env = labsweep({"ls", "--url", url}, {"LABSWEEP_TOKEN=" + alice});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;

  ProcessResult wrong = labsweep({"login", "--url", url}, {}, "lst_wrong\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("refused this token; nothing was saved"));
  EXPECT_FALSE(std::filesystem::exists(token_file()));
  ProcessResult malformed = labsweep({"login", "--url", url}, {}, "two words\n");
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.err, HasSubstr("standard input does not hold a token"));

  ProcessResult login = labsweep({"login", "--url", url}, {}, alice + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_THAT(login.out, HasSubstr("accepted the token"));
  EXPECT_THAT(login.out + login.err, Not(HasSubstr(alice)));
  struct stat info {};
  ASSERT_EQ(::stat(token_file().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(file_text(token_file()), alice + "\n");
  ProcessResult from_file = labsweep({"ls", "--url", url});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;

  ASSERT_EQ(::chmod(token_file().c_str(), 0644), 0);
  ProcessResult open_file = labsweep({"ls", "--url", url});
  EXPECT_EQ(open_file.exit_code, 1);
  EXPECT_THAT(open_file.err, HasSubstr("group or others may access it (mode 0644)"));
  ASSERT_EQ(::chmod(token_file().c_str(), 0600), 0);

  ASSERT_EQ(labsweep({"tokens", "revoke", "alice", "--key-dir", key_dir()}).exit_code, 0);
  ProcessResult revoked = labsweep({"ls", "--url", url});
  EXPECT_EQ(revoked.exit_code, 1);
  EXPECT_THAT(revoked.err, HasSubstr("the API token is not valid"));
}

TEST_F(ApiTokenTest, WithACertificateTheServerSpeaksHttpsToTheCli) {
  CertificateFiles cert = make_self_signed_certificate(dir_.path());
  ASSERT_NO_FATAL_FAILURE(start_server(
      {"--tls-cert", cert.certificate.string(), "--tls-key", cert.private_key.string()}));
  ASSERT_EQ(scheme_, "https");
  const std::string url = local_url();
  ProcessResult trusted =
      labsweep({"ls", "--url", url}, {"LABSWEEP_CA_FILE=" + cert.certificate.string()});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
  ProcessResult untrusted = labsweep({"ls", "--url", url});
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_THAT(untrusted.err, HasSubstr("its certificate is not trusted"));

  ProcessResult half = refused_start({"--tls-cert", cert.certificate.string()});
  EXPECT_NE(half.exit_code, 0);
  EXPECT_THAT(half.err, HasSubstr("--tls-cert requires --tls-key"));
}

TEST_F(ApiTokenTest, AClientInAnotherNetworkNamespaceNeedsTheRightToken) {
  NetnsLink link;
  if (!link.ok()) GTEST_SKIP() << link.why();

  const std::string alice = create_token("alice");
  ASSERT_NO_FATAL_FAILURE(
      start_server({"--http-host", link.here()}));  // not loopback: tokens without being told
  const std::string url = "http://" + link.here() + ":" + std::to_string(port_) + "/api/v1/sweeps";
  std::vector<std::string> client = link.exec_there();
  for (std::string arg :
       {"python3", "-c",
        "import sys, urllib.request, urllib.error\n"
        "url, token = sys.argv[1], sys.argv[2]\n"
        "def status(headers):\n"
        "    try:\n"
        "        return urllib.request.urlopen(\n"
        "            urllib.request.Request(url, headers=headers), timeout=10).status\n"
        "    except urllib.error.HTTPError as e:\n"
        "        return e.code\n"
        "print(status({}), status({'Authorization': 'Bearer lst_wrong'}),\n"
        "      status({'Authorization': 'Bearer ' + token,\n"
        "              'Origin': 'http://evil.example'}),\n"
        "      status({'Authorization': 'Bearer ' + token}))\n"})
    client.push_back(arg);
  client.push_back(url);
  client.push_back(alice);
  ProcessResult statuses = run_process(client);
  EXPECT_EQ(statuses.exit_code, 0) << statuses.err;
  EXPECT_EQ(statuses.out, "401 401 403 200\n") << statuses.err << server_->err();
  // Each refusal is logged with the client's address, never with the token it sent.
  const std::string log = server_->err();
  const std::string from = " /api/v1/sweeps from " + link.there();
  EXPECT_THAT(log, HasSubstr("refused GET" + from + " (401): this server requires an API token"));
  EXPECT_THAT(log, HasSubstr("refused GET" + from + " (401): the API token is not valid"));
  EXPECT_THAT(log, HasSubstr("refused GET" + from +
                             " (403): cross-origin request from "
                             "'http://evil.example' refused"));
  EXPECT_THAT(log, Not(HasSubstr("lst_wrong")));
  EXPECT_THAT(log, Not(HasSubstr(alice)));
}

}  // namespace
}  // namespace labsweep::testing
