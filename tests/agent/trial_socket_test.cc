#include "agent/trial_socket.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <functional>
#include <set>

#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

using labsweep::testing::FakeClock;
using labsweep::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// A trial-side connection with blocking I/O and a bounded wait for each line.
class RawClient {
 public:
  explicit RawClient(const std::filesystem::path& path) : fd_(socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    connected_ =
        connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0) << std::strerror(errno);
      bytes.remove_prefix(std::size_t(n));
    }
  }
  void shutdown_writing() { ::shutdown(fd_.get(), SHUT_WR); }
  void close() { fd_.reset(); }
  // The next line without its newline, or nullopt when none arrives within `wait`.
  std::optional<std::string> line(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    while (true) {
      std::size_t newline = in_.find('\n');
      if (newline != std::string::npos) {
        std::string out = in_.substr(0, newline);
        in_.erase(0, newline + 1);
        return out;
      }
      pollfd p{fd_.get(), POLLIN, 0};
      if (poll(&p, 1, int(wait.count())) <= 0) return std::nullopt;
      char buffer[4096];
      ssize_t n = recv(fd_.get(), buffer, sizeof buffer, 0);
      if (n <= 0) return std::nullopt;
      in_.append(buffer, std::size_t(n));
    }
  }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  bool connected_ = false;
  std::string in_;
};

class TrialSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = TrialSocket::open(path_, clock_);
    ASSERT_TRUE(opened.is_ok()) << opened.status().message();
    socket_ = std::move(*opened);
  }

  // Services the socket until `done` holds, waiting on fd() as the agent's loop does; gives up
  // after a few seconds (real I/O is quick, but never instantaneous).
  void pump_until(const std::function<bool()>& done) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done() && std::chrono::steady_clock::now() < give_up) {
      pollfd p{socket_->fd(), POLLIN, 0};
      poll(&p, 1, 50);
      for (TrialSocketEvent& e : socket_->service()) events_.push_back(std::move(e));
    }
    ASSERT_TRUE(done()) << "timed out";
  }
  void pump_events(std::size_t count) {
    pump_until([&] { return events_.size() >= count; });
  }
  void pump_connections(std::size_t count) {
    pump_until([&] { return socket_->connection_count() == count; });
  }

  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const TrialSocketEvent& e : events_) {
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    }
    return out;
  }
  // The steps of the reports from one connection, in the order delivered.
  std::vector<int64_t> steps_from(uint64_t connection) const {
    std::vector<int64_t> out;
    for (const ReceivedReport& r : all<ReceivedReport>()) {
      if (r.connection == connection) out.push_back(r.report.step);
    }
    return out;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "trial.sock";
  FakeClock clock_;
  std::unique_ptr<TrialSocket> socket_;
  std::vector<TrialSocketEvent> events_;
};

TEST_F(TrialSocketTest, OnlyTheUserMayConnectAndThePathGoesWithTheSocket) {
  struct stat st {};
  ASSERT_EQ(lstat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  socket_.reset();
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(path_)));
}

TEST_F(TrialSocketTest, AStaleSocketIsReplacedButNothingElse) {
  std::filesystem::path stale = dir_.path() / "stale.sock";
  {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, stale.c_str());
    ASSERT_EQ(bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  }  // closed without removing the path, as a crashed agent leaves it
  auto replaced = TrialSocket::open(stale, clock_);
  ASSERT_TRUE(replaced.is_ok()) << replaced.status().message();
  EXPECT_TRUE(RawClient(stale).connected());

  std::string file = dir_.write("notes.txt", "keep me");
  auto refused = TrialSocket::open(file, clock_);
  ASSERT_FALSE(refused.is_ok());
  EXPECT_EQ(refused.status().message(),
            "trial socket '" + file + "': something other than a socket is there");
  EXPECT_TRUE(std::filesystem::exists(file));

  auto in_use = TrialSocket::open(path_, clock_);  // socket_ listens there
  ASSERT_FALSE(in_use.is_ok());
  EXPECT_THAT(in_use.status().message(), HasSubstr("another process listens there"));

  auto too_long = TrialSocket::open(dir_.path() / std::string(120, 's'), clock_);
  ASSERT_FALSE(too_long.is_ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("must be 1 to 107 bytes"));
}

TEST_F(TrialSocketTest, ReportsCarryTheClocksReceiveTime) {
  RawClient client(path_);
  clock_.advance(std::chrono::milliseconds(1234));
  client.send("{\"step\":3,\"loss\":0.5}\n");
  pump_events(1);
  auto reports = all<ReceivedReport>();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].report.step, 3);
  EXPECT_THAT(reports[0].report.metrics, ElementsAre(Metric{"loss", 0.5}));
  EXPECT_EQ(reports[0].report.received_ms, clock_.wall_ms());
  EXPECT_EQ(socket_->stats().reports, 1u);
}

TEST_F(TrialSocketTest, SeveralConnectionsInterleaveEachInItsOwnOrder) {
  RawClient a(path_), b(path_), c(path_);
  pump_connections(3);
  for (int step = 0; step < 50; ++step) {
    for (RawClient* client : {&a, &b, &c}) {
      client->send("{\"step\":" + std::to_string(step) + ",\"x\":1}\n");
    }
  }
  pump_events(150);
  std::vector<int64_t> expected;
  for (int step = 0; step < 50; ++step) expected.push_back(step);
  std::set<uint64_t> connections;
  for (const ReceivedReport& r : all<ReceivedReport>()) connections.insert(r.connection);
  ASSERT_EQ(connections.size(), 3u);
  for (uint64_t id : connections) EXPECT_EQ(steps_from(id), expected) << "connection " << id;
}

TEST_F(TrialSocketTest, APartialLineWaitsForItsEnd) {
  RawClient client(path_);
  std::string line = "{\"step\":7,\"acc\":0.25}\r\n";
  for (char byte : line) {
    client.send(std::string_view(&byte, 1));
    for (int i = 0; i < 3; ++i) {
      for (TrialSocketEvent& e : socket_->service()) events_.push_back(std::move(e));
    }
    if (byte != '\n') {
      EXPECT_TRUE(events_.empty());
    }
  }
  pump_events(1);
  EXPECT_EQ(all<ReceivedReport>().at(0).report.step, 7);
}

TEST_F(TrialSocketTest, AnOverLongLineIsDroppedUpToItsNewlineAndTheConnectionStays) {
  RawClient client(path_);
  client.send("{\"step\":1,\"x\":\"" + std::string(100'000, 'a'));
  pump_events(1);
  client.send("\"}\n{\"step\":2,\"x\":2}\n");
  pump_events(2);
  auto rejected = all<RejectedLine>();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_THAT(rejected[0].error, HasSubstr("line 1 on connection"));
  EXPECT_THAT(rejected[0].error, HasSubstr("line longer than 65536 bytes"));
  EXPECT_EQ(steps_from(rejected[0].connection), std::vector<int64_t>{2});
  EXPECT_EQ(socket_->stats().overlong_lines, 1u);
  EXPECT_EQ(socket_->connection_count(), 1u);
}

TEST_F(TrialSocketTest, ALineOfExactlyTheLimitIsRead) {
  RawClient client(path_);
  std::string head = "{\"query\":\"should_stop\",\"step\":4,\"pad\":\"";
  std::string line = head + std::string(kMaxTrialLineBytes - 1 - head.size() - 2, 'p') + "\"}";
  ASSERT_EQ(line.size() + 1, kMaxTrialLineBytes);
  client.send(line + "\n");
  pump_events(1);
  ASSERT_EQ(all<ReceivedQuery>().size(), 1u);
  EXPECT_EQ(all<ReceivedQuery>()[0].step, 4);
}

TEST_F(TrialSocketTest, MalformedLinesAreCountedAndTheRestIsRead) {
  RawClient client(path_);
  client.send("not json\n{\"step\":-1,\"x\":1}\n\xff\n{\"step\":5,\"x\":1}\n");
  pump_events(4);
  auto rejected = all<RejectedLine>();
  ASSERT_EQ(rejected.size(), 3u);
  EXPECT_THAT(rejected[0].error, StartsWith("line 1 on connection 1: not JSON"));
  EXPECT_THAT(rejected[1].error, StartsWith("line 2 on connection 1: step: must be"));
  EXPECT_EQ(rejected[2].error, "line 3 on connection 1: not UTF-8");
  EXPECT_EQ(steps_from(1), std::vector<int64_t>{5});
  EXPECT_EQ(socket_->stats().rejected_lines, 3u);
}

TEST_F(TrialSocketTest, AClosedClientIsForgottenAndItsCutLineDropped) {
  RawClient client(path_);
  client.send("{\"step\":1,\"x\":1}\n{\"step\":2,");
  pump_connections(1);
  client.close();
  pump_connections(0);
  EXPECT_EQ(steps_from(1), std::vector<int64_t>{1});
  auto rejected = all<RejectedLine>();
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].error,
            "line 2 on connection 1: the connection closed inside a line (no newline)");
}

// A trial that connected, reported and exited before the agent's loop came round: its
// connection is still to be accepted when the agent sees the trial's end.
TEST_F(TrialSocketTest, DrainReadsAConnectionNeverAcceptedBefore) {
  {
    RawClient client(path_);
    ASSERT_TRUE(client.connected());
    client.send("{\"step\":0,\"loss\":3}\n{\"step\":1,\"loss\":2}\n{\"step\":2,\"loss\":1}\n");
  }
  for (TrialSocketEvent& e : socket_->drain()) events_.push_back(std::move(e));
  EXPECT_EQ(steps_from(1), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(socket_->connection_count(), 0u);
}

TEST_F(TrialSocketTest, StopNoticeGoesToOpenAndLaterConnectionsOnce) {
  RawClient early(path_);
  pump_connections(1);
  socket_->send_stop_notice("stopped by user");
  socket_->send_stop_notice("ignored: only the first counts");
  EXPECT_EQ(early.line(), R"({"action":"stop","reason":"stopped by user"})");
  RawClient late(path_);
  pump_connections(2);
  EXPECT_EQ(late.line(), R"({"action":"stop","reason":"stopped by user"})");
  EXPECT_EQ(early.line(std::chrono::milliseconds(50)), std::nullopt);
  EXPECT_EQ(late.line(std::chrono::milliseconds(50)), std::nullopt);
  // Reports still arrive after the notice: a trial may send its final metrics.
  late.send("{\"step\":9,\"x\":1}\n");
  pump_events(1);
  EXPECT_TRUE(socket_->stop_notice_sent());
}

TEST_F(TrialSocketTest, AnswersFollowTheOrderOfTheQueries) {
  RawClient client(path_);
  client.send(
      "{\"query\":\"should_stop\",\"step\":1}\n{\"step\":2,\"x\":1}\n"
      "{\"query\":\"should_stop\",\"step\":2}\n");
  pump_events(3);
  auto queries = all<ReceivedQuery>();
  ASSERT_EQ(queries.size(), 2u);
  EXPECT_EQ(queries[0].step, 1);
  EXPECT_EQ(queries[1].step, 2);
  EXPECT_THAT(socket_->unanswered_queries(), ElementsAre(queries[0].id, queries[1].id));
  // The second is decided first: it waits for the first.
  EXPECT_TRUE(socket_->answer(queries[1].id, {true, "asha: below the cut-off"}));
  EXPECT_EQ(client.line(std::chrono::milliseconds(50)), std::nullopt);
  EXPECT_TRUE(socket_->answer(queries[0].id, {false, "not written with continue"}));
  EXPECT_EQ(client.line(), R"({"decision":"continue","step":1})");
  EXPECT_EQ(client.line(), R"({"decision":"stop","reason":"asha: below the cut-off","step":2})");
  EXPECT_FALSE(socket_->answer(queries[0].id, {}));  // answered already
  EXPECT_FALSE(socket_->answer({queries[0].id.connection, 99}, {}));
  EXPECT_FALSE(socket_->answer({12345, 0}, {}));
  EXPECT_TRUE(socket_->unanswered_queries().empty());
}

TEST_F(TrialSocketTest, AClientThatStoppedSendingStillGetsItsAnswer) {
  RawClient client(path_);
  client.send("{\"query\":\"should_stop\",\"step\":8}\n");
  client.shutdown_writing();  // as `echo ... | socat` does
  pump_events(1);
  pump_until([&] { return socket_->stats().queries == 1; });
  for (int i = 0; i < 5; ++i) socket_->service();
  ASSERT_EQ(socket_->connection_count(), 1u);
  EXPECT_TRUE(socket_->answer(all<ReceivedQuery>()[0].id, {false, ""}));
  EXPECT_EQ(client.line(), R"({"decision":"continue","step":8})");
  pump_connections(0);  // nothing more to say: closed
}

TEST_F(TrialSocketTest, AnAnswerForAGoneConnectionIsIgnored) {
  RawClient client(path_);
  client.send("{\"query\":\"should_stop\",\"step\":1}\n");
  pump_events(1);
  client.close();
  pump_connections(0);
  EXPECT_FALSE(socket_->answer(all<ReceivedQuery>()[0].id, {true, "x"}));
}

TEST_F(TrialSocketTest, AClientThatNeverReadsIsDroppedNotWaitedFor) {
  RawClient deaf(path_);
  RawClient fine(path_);
  std::string queries;
  for (int i = 0; i < 400; ++i) queries += "{\"query\":\"should_stop\",\"step\":1}\n";
  deaf.send(queries);
  pump_events(400);
  std::string reason(10'000, 'r');  // 400 answers of 10 kB: past every buffer
  for (const ReceivedQuery& q : all<ReceivedQuery>()) socket_->answer(q.id, {true, reason});
  EXPECT_EQ(socket_->stats().connections_overflowed, 1u);
  EXPECT_EQ(socket_->connection_count(), 1u);
  fine.send("{\"step\":1,\"x\":1}\n");
  pump_events(401);
}

TEST_F(TrialSocketTest, ConnectionsPastTheBoundAreRefused) {
  // Both ends of every connection live in this process.
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  rlim_t needed = 2 * TrialSocket::kMaxConnections + 64;
  if (files.rlim_cur < needed && files.rlim_max >= needed) {
    files.rlim_cur = needed;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  if (files.rlim_cur < needed) GTEST_SKIP() << "too few file descriptors allowed";
  std::vector<std::unique_ptr<RawClient>> clients;
  for (std::size_t i = 0; i < TrialSocket::kMaxConnections + 2; ++i) {
    clients.push_back(std::make_unique<RawClient>(path_));
    if (i % 64 == 0) socket_->service();  // keep the listen backlog short
  }
  pump_until([&] { return socket_->stats().connections_refused == 2; });
  EXPECT_EQ(socket_->connection_count(), TrialSocket::kMaxConnections);
}

}  // namespace
}  // namespace labsweep::agent
