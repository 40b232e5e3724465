// The C++ trial client (clients/cpp/labsweep.hpp) against a fake agent on a real Unix socket in
// a temporary directory. Compiled as C++17, the standard the header promises.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "clients/cpp/labsweep.hpp"
#include "tests/support/temp_dir.h"

namespace {

using labsweep::testing::TempDir;
using labsweep_client::Environment;
using labsweep_client::Error;
using labsweep_client::Params;
using labsweep_client::Report;
using labsweep_client::Trial;
using labsweep_client::Wait;
using ::testing::HasSubstr;

// A safety net against a hung test, never a timing assertion.
constexpr std::chrono::seconds kTimeout(10);

class AgentConnection;
// Returns the bytes to send back for each line the agent receives.
using Responder = std::function<std::vector<std::string>(AgentConnection&, const std::string&)>;

// The agent's end of one trial connection: the lines received, and a way to send.
class AgentConnection {
 public:
  AgentConnection(int fd, Responder responder)
      : fd_(fd), responder_(std::move(responder)), reader_([this] { read_loop(); }) {}
  ~AgentConnection() {
    close();
    reader_.join();
    ::close(fd_);
  }

  // The next line received, without its newline; throws if none comes or the trial hung up.
  std::string next_line() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kTimeout, [&] { return !lines_.empty() || eof_; })) {
      throw std::runtime_error("no line from the trial");
    }
    if (lines_.empty()) throw std::runtime_error("the trial closed the connection");
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;  // the trial may be gone once it has what it waited for
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void close() { ::shutdown(fd_, SHUT_RDWR); }

 private:
  void read_loop() {
    std::string buffer;
    char chunk[65536];
    while (true) {
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t end;
      while ((end = buffer.find('\n')) != std::string::npos) {
        std::string line = buffer.substr(0, end);
        buffer.erase(0, end + 1);
        if (responder_) {
          for (const std::string& reply : responder_(*this, line)) send(reply);
        }
        std::lock_guard<std::mutex> lock(mu_);
        lines_.push_back(std::move(line));
        cv_.notify_all();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    eof_ = true;
    cv_.notify_all();
  }

  int fd_;
  Responder responder_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool eof_ = false;
  std::thread reader_;
};

// Listens on `dir`/trial.sock and accepts any number of connections.
class FakeAgent {
 public:
  explicit FakeAgent(const std::filesystem::path& dir, Responder responder = {})
      : path_((dir / "trial.sock").string()), responder_(std::move(responder)) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0) {
      throw std::runtime_error("cannot listen on " + path_);
    }
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~FakeAgent() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes accept()
    acceptor_.join();
    ::close(listener_);
  }

  const std::string& path() const { return path_; }
  Environment environment() const { return Environment{"7", "3", "", "", path_}; }

  // The next connection accepted, in order; throws if none comes.
  AgentConnection& next_connection() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, kTimeout, [&] { return handed_out_ < connections_.size(); })) {
      throw std::runtime_error("no connection from the trial");
    }
    return *connections_[handed_out_++];
  }

 private:
  void accept_loop() {
    while (true) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      connections_.push_back(std::make_unique<AgentConnection>(fd, responder_));
      cv_.notify_all();
    }
  }

  std::string path_;
  Responder responder_;
  int listener_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<AgentConnection>> connections_;
  std::size_t handed_out_ = 0;
  std::thread acceptor_;
};

// Answers every should_stop query with `decision`.
Responder answer_queries(std::string decision) {
  return [decision](AgentConnection&, const std::string& line) -> std::vector<std::string> {
    auto at = line.find("\"step\":");
    if (line.find("\"query\"") == std::string::npos || at == std::string::npos) return {};
    std::string step = line.substr(at + 7, line.find('}') - at - 7);
    std::string reason = decision == "stop" ? ", \"reason\": \"asha: below the rung median\"" : "";
    return {"{\"decision\": \"" + decision + "\", \"step\": " + step + reason + "}\n"};
  };
}

// Runs `body` in a forked child and returns its exit code (the parent's threads do not follow).
int in_child(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int code = 1;
    try {
      code = body();
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ----- reports -----

TEST(client_report, SendsOneExactLinePerReport) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  trial.report(3, {{"loss", 0.41}, {"acc", 0.87}});
  trial.report(Report(4).add("train/loss", 1e-05).add("val.top-1", 0.5).add("epoch", 2));
  AgentConnection& conn = agent.next_connection();
  EXPECT_EQ(conn.next_line(), R"({"step":3,"loss":0.41,"acc":0.87})");
  EXPECT_EQ(conn.next_line(), R"({"step":4,"train/loss":1e-05,"val.top-1":0.5,"epoch":2})");
  EXPECT_EQ(trial.last_step(), 4);
}

TEST(client_report, NonFiniteValuesAreStrings) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  double inf = std::numeric_limits<double>::infinity();
  trial.report(1, {{"a", std::nan("")}, {"b", inf}, {"c", -inf}, {"d", -0.0}});
  EXPECT_EQ(agent.next_connection().next_line(),
            R"({"step":1,"a":"nan","b":"inf","c":"-inf","d":-0})");
}

TEST(client_report, NumbersUseTheirShortestExactText) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  int epoch = 12;
  trial.report(std::numeric_limits<std::int64_t>::max(),
               {{"a", 0.1}, {"b", 1e300}, {"c", 1.0 / 3}, {"d", epoch}, {"e", 5e-324}});
  EXPECT_EQ(agent.next_connection().next_line(),
            R"({"step":9223372036854775807,"a":0.1,"b":1e+300,"c":0.3333333333333333,)"
            R"("d":12,"e":5e-324})");
}

TEST(client_report, BadArgumentsAreRefusedWithClearErrors) {
  Trial trial(Environment{});  // checked outside labsweep too
  struct Case {
    std::function<void()> call;
    std::string message;
  };
  std::vector<Case> cases = {
      {[&] {
         trial.report(-1, {{"loss", 1}});
       },
       "step must be between 0 and 2**63-1, got -1"},
      {[&] {
         trial.report(1, {{"val loss", 1}});
       },
       "metric name 'val loss': use 1 to 255 letters, digits and _ . - /"},
      {[&] {
         trial.report(1, {{"", 1}});
       },
       "metric name '': use 1 to 255 letters, digits and _ . - /"},
      {[&] {
         trial.report(1, {{"\xc3\xa9", 1}});
       },
       "metric name '\xc3\xa9': use 1 to 255 letters, digits and _ . - /"},
      {[&] {
         trial.report(1, {{std::string(256, 'x'), 1}});
       },
       "metric name '" + std::string(256, 'x') + "': use 1 to 255 letters, digits and _ . - /"},
      {[&] {
         trial.report(1, {{"step", 1}});
       },
       "metric name 'step' is reserved"},
      {[&] {
         trial.report(1, {{"query", 1}});
       },
       "metric name 'query' is reserved"},
      {[&] {
         trial.report(1, {{"a", 1}, {"a", 2}});
       },
       "metric 'a' is given twice"},
      {[&] { trial.report(1, {}); }, "report() needs at least one metric"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      c.call();
      ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(e.what(), c.message);
    }
  }
  Report wide(1);
  for (int i = 0; i < 3000; ++i) wide.add("metric_number_" + std::to_string(i), 1.0 / 7);
  EXPECT_THROW(trial.report(wide), std::invalid_argument);  // longer than 64 KiB
}

TEST(client_report, ARefusedReportSendsNothing) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  EXPECT_THROW(trial.report(1, {{"good", 1}, {"bad name", 2}}), std::invalid_argument);
  trial.report(2, {{"good", 2}});
  EXPECT_EQ(agent.next_connection().next_line(), R"({"step":2,"good":2})");
}

TEST(client_report, LinesStayWholeWhenThreadsReportAtOnce) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  constexpr int kThreads = 8;
  constexpr int kReports = 200;
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int step = 0; step < kReports; ++step) {
        Report r(step);
        r.add("thread", t);
        for (int m = 0; m < 100; ++m) r.add("m" + std::to_string(m), m / 7.0);  // a few KiB
        trial.report(r);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  AgentConnection& conn = agent.next_connection();
  std::set<std::string> seen;
  for (int i = 0; i < kThreads * kReports; ++i) {
    std::string line = conn.next_line();
    std::optional<Params> message = Params::try_parse(line);
    ASSERT_TRUE(message) << line;
    ASSERT_EQ(message->names().size(), 102u);
    seen.insert(*message->get_raw("thread") + "/" + *message->get_raw("step"));
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kReports));
}

// ----- the connection -----

TEST(client_connection, ConnectFailureNamesTheSocket) {
  TempDir dir;
  std::string path = (dir.path() / "missing.sock").string();
  Trial trial(Environment{"", "", "", "", path});
  try {
    trial.report(1, {{"loss", 0.5}});
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "labsweep: cannot connect to LABSWEEP_SOCKET '" + path +
                            "': No such file or directory");
  }
  EXPECT_THROW(trial.should_stop(), Error);
}

TEST(client_connection, TooLongASocketPathIsAnError) {
  std::string path = "/tmp/" + std::string(200, 'x');
  Trial trial(Environment{"", "", "", "", path});
  try {
    trial.report(1, {{"loss", 0.5}});
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "labsweep: cannot connect to LABSWEEP_SOCKET '" + path +
                            "': the path is longer than 107 bytes");
  }
}

TEST(client_connection, ABrokenConnectionThrowsAndTheNextCallReconnects) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 0.5}});
  AgentConnection& first = agent.next_connection();
  EXPECT_EQ(first.next_line(), R"({"step":1,"loss":0.5})");
  first.close();
  try {
    for (int step = 2; step < 10000; ++step) trial.report(step, {{"loss", 0.5}});
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("labsweep: lost the connection to LABSWEEP_SOCKET '" +
                                    agent.path() + "': "));
  }
  trial.report(20000, {{"loss", 0.25}});
  EXPECT_EQ(agent.next_connection().next_line(), R"({"step":20000,"loss":0.25})");
}

TEST(client_connection, ChildProcessesReportOnTheirOwnConnections) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 0.5}});
  AgentConnection& parent = agent.next_connection();
  // The parent's Trial, used in a forked child, opens a connection of its own.
  EXPECT_EQ(in_child([&] {
              trial.report(2, {{"child", 1}});
              return 0;
            }),
            0);
  EXPECT_EQ(agent.next_connection().next_line(), R"({"step":2,"child":1})");
  // A fresh Trial in a child process, made from the environment it inherits.
  EXPECT_EQ(in_child([&] {
              ::setenv("LABSWEEP_SOCKET", agent.path().c_str(), 1);
              ::unsetenv("LABSWEEP_PARAMS_FILE");
              labsweep_client::default_trial().report(7, {{"worker/loss", 0.125}});
              return 0;
            }),
            0);
  EXPECT_EQ(agent.next_connection().next_line(), R"({"step":7,"worker/loss":0.125})");
  trial.report(3, {{"loss", 0.25}});
  EXPECT_EQ(parent.next_line(), R"({"step":1,"loss":0.5})");
  EXPECT_EQ(parent.next_line(), R"({"step":3,"loss":0.25})");
}

// ----- stopping -----

TEST(client_stop, AStopNoticeIsSeenWithoutBlocking) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 0.5}});
  AgentConnection& conn = agent.next_connection();
  conn.next_line();
  EXPECT_FALSE(trial.should_stop());
  EXPECT_EQ(trial.stop_reason(), std::nullopt);
  conn.send("{\"action\": \"stop\", \"reason\": \"stopped by user \\u2014 \\\"now\\\"\"}\n");
  EXPECT_TRUE(trial.should_stop());
  EXPECT_EQ(trial.stop_reason(), "stopped by user \xe2\x80\x94 \"now\"");
  EXPECT_TRUE(trial.should_stop(Wait::kForDecision));  // already stopped: no query
  trial.report(2, {{"loss", 0.25}});  // a trial may still report while it winds down
  EXPECT_EQ(conn.next_line(), R"({"step":2,"loss":0.25})");
}

TEST(client_stop, ShouldStopBeforeAnyReportConnectsAndListens) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  EXPECT_FALSE(trial.should_stop());
  agent.next_connection().send("{\"action\":\"stop\"}\n");
  EXPECT_TRUE(trial.should_stop());
  EXPECT_EQ(trial.stop_reason(), "");
}

TEST(client_stop, WaitSendsTheQueryAndReturnsContinue) {
  TempDir dir;
  FakeAgent agent(dir.path(), answer_queries("continue"));
  Trial trial(agent.environment());
  trial.report(3, {{"loss", 0.41}});
  EXPECT_FALSE(trial.should_stop(Wait::kForDecision));
  AgentConnection& conn = agent.next_connection();
  EXPECT_EQ(conn.next_line(), R"({"step":3,"loss":0.41})");
  EXPECT_EQ(conn.next_line(), R"({"query":"should_stop","step":3})");
  EXPECT_EQ(trial.stop_reason(), std::nullopt);
  EXPECT_FALSE(trial.should_stop());
}

TEST(client_stop, WaitReturnsStopWithItsReason) {
  TempDir dir;
  FakeAgent agent(dir.path(), answer_queries("stop"));
  Trial trial(agent.environment());
  trial.report(9, {{"loss", 2}});
  EXPECT_TRUE(trial.should_stop(Wait::kForDecision));
  EXPECT_EQ(trial.stop_reason(), "asha: below the rung median");
  EXPECT_TRUE(trial.should_stop());
}

TEST(client_stop, AStopNoticeWhileWaitingCounts) {
  TempDir dir;
  FakeAgent agent(dir.path(), [](AgentConnection&, const std::string& line) {
    if (line.find("query") == std::string::npos) return std::vector<std::string>{};
    return std::vector<std::string>{"{\"action\":\"stop\",\"reason\":\"sweep cancelled\"}\n"};
  });
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 1}});
  EXPECT_TRUE(trial.should_stop(Wait::kForDecision));
  EXPECT_EQ(trial.stop_reason(), "sweep cancelled");
}

TEST(client_stop, MalformedAndUnrelatedControlLinesAreIgnored) {
  std::vector<std::string> junk = {
      "not json\n",
      "[1, 2]\n",
      "\"stop\"\n",
      "\xff\xfe\n",
      "\n",
      "{\"action\": \"stop\"\n",  // unterminated
      "{\"action\": \"stop\",}\n",
      "{\"action\": \"st\xc3\n",
      "{\"action\": \"pause\"}\n",
      "{\"action\": 1}\n",
      "{\"action\": null, \"reason\": 5}\n",
      "{\"decision\": \"stop\"}\n",
      "{\"decision\": \"stop\", \"step\": \"3\"}\n",
      "{\"decision\": \"stop\", \"step\": 3.0}\n",
      "{\"decision\": \"stop\", \"step\": -3}\n",
      "{\"decision\": \"stop\", \"step\": 99999999999999999999}\n",
      "{\"decision\": \"halt\", \"step\": 3}\n",
      "{\"decision\": \"continue\", \"step\": 2}\n",          // answers another query
      "{\"a\":" + std::string(100000, '[') + "\n",            // deeper than any parser should go
      std::string(200000, 'x') + "{\"action\": \"stop\"}\n",  // over-long: dropped whole
      "{\"decision\": \"continue\", \"step\": 3, \"extra\": [1, {\"x\": null}]}\n",
  };
  TempDir dir;
  FakeAgent agent(dir.path(), [&](AgentConnection&, const std::string& line) {
    return line.find("query") == std::string::npos ? std::vector<std::string>{} : junk;
  });
  Trial trial(agent.environment());
  trial.report(3, {{"loss", 1}});
  EXPECT_FALSE(trial.should_stop(Wait::kForDecision));
  EXPECT_FALSE(trial.should_stop());
  EXPECT_EQ(trial.stop_reason(), std::nullopt);
}

TEST(client_stop, LinesUpToTheLimitAreReadAndLongerOnesDropped) {
  auto notice = [](const std::string& reason, std::size_t size) {  // padded, with its newline
    std::string head = R"({"action":"stop","reason":")" + reason + "\"";
    return head + std::string(size - head.size() - 2, ' ') + "}\n";
  };
  TempDir dir;
  FakeAgent agent(dir.path(), [&](AgentConnection&, const std::string& line) {
    if (line.find("query") == std::string::npos) return std::vector<std::string>{};
    return std::vector<std::string>{notice("too long", 65537), notice("at the limit", 65536)};
  });
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 1}});
  EXPECT_TRUE(trial.should_stop(Wait::kForDecision));
  EXPECT_EQ(trial.stop_reason(), "at the limit");
}

TEST(client_stop, AStopDecisionOnAnyStepStopsTheTrial) {
  TempDir dir;
  FakeAgent agent(dir.path(), [](AgentConnection&, const std::string& line) {
    if (line.find("query") == std::string::npos) return std::vector<std::string>{};
    return std::vector<std::string>{R"({"decision": "stop", "step": 2, "reason": "older"})"
                                    "\n",
                                    R"({"decision": "continue", "step": 3})"
                                    "\n"};
  });
  Trial trial(agent.environment());
  trial.report(3, {{"loss", 1}});
  EXPECT_TRUE(trial.should_stop(Wait::kForDecision));
  EXPECT_EQ(trial.stop_reason(), "older");
}

TEST(client_stop, ADecisionSplitAcrossWritesIsReassembled) {
  TempDir dir;
  FakeAgent agent(dir.path(), [](AgentConnection& conn, const std::string& line) {
    if (line.find("query") != std::string::npos) {
      for (const char* piece : {"{\"decision\": \"con", "tinue\", \"st", "ep\": 5}", "\n"}) {
        conn.send(piece);
      }
    }
    return std::vector<std::string>{};
  });
  Trial trial(agent.environment());
  trial.report(5, {{"loss", 1}});
  EXPECT_FALSE(trial.should_stop(Wait::kForDecision));
}

TEST(client_stop, ThreadsWaitingOnOneTrialEachGetTheirAnswer) {
  TempDir dir;
  FakeAgent agent(dir.path(), answer_queries("continue"));
  Trial trial(agent.environment());
  trial.report(1, {{"loss", 1}});
  std::vector<std::thread> workers;
  std::vector<int> results(8, -1);
  for (int i = 0; i < 8; ++i) {
    workers.emplace_back([&, i] { results[i] = trial.should_stop(Wait::kForDecision); });
  }
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(results, std::vector<int>(8, 0));
}

TEST(client_stop, WaitBeforeAnyReportIsAnError) {
  TempDir dir;
  FakeAgent agent(dir.path());
  Trial trial(agent.environment());
  try {
    trial.should_stop(Wait::kForDecision);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "labsweep: should_stop(Wait::kForDecision) needs a report() first");
  }
}

TEST(client_stop, TheAgentClosingWhileWaitingIsAnError) {
  TempDir dir;
  FakeAgent agent(dir.path(), [](AgentConnection& conn, const std::string& line) {
    if (line.find("query") != std::string::npos) conn.close();
    return std::vector<std::string>{};
  });
  Trial trial(agent.environment());
  trial.report(4, {{"loss", 1}});
  try {
    trial.should_stop(Wait::kForDecision);
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "labsweep: the connection to LABSWEEP_SOCKET '" + agent.path() +
                            "' closed before the decision on step 4 arrived");
  }
}

TEST(client_stop, ClosingTheTrialReleasesAThreadWaitingForADecision) {
  TempDir dir;
  FakeAgent agent(dir.path());  // never answers
  Trial trial(agent.environment());
  trial.report(4, {{"loss", 1}});
  bool threw = false;
  std::thread waiter([&] {
    try {
      trial.should_stop(Wait::kForDecision);
    } catch (const Error&) {
      threw = true;
    }
  });
  AgentConnection& conn = agent.next_connection();
  conn.next_line();
  EXPECT_EQ(conn.next_line(), R"({"query":"should_stop","step":4})");
  trial.close();
  waiter.join();
  EXPECT_TRUE(threw);
}

// ----- outside labsweep -----

TEST(client_outside_labsweep, NothingHappens) {
  Trial trial(Environment{});
  EXPECT_FALSE(trial.in_labsweep());
  EXPECT_EQ(trial.params_json(), "{}");
  EXPECT_EQ(trial.param_double("lr"), std::nullopt);
  trial.report(1, {{"loss", 0.5}});
  EXPECT_FALSE(trial.should_stop());
  EXPECT_FALSE(trial.should_stop(Wait::kForDecision));
  EXPECT_EQ(trial.stop_reason(), std::nullopt);
  EXPECT_EQ(trial.last_step(), std::nullopt);
}

TEST(client_outside_labsweep, AParamsFileIsStillRead) {
  TempDir dir;
  std::string file = dir.write("params.json", R"({"batch_size": 64})");
  Trial trial(Environment{"", "", "", file, ""});
  EXPECT_EQ(trial.params_json(), R"({"batch_size": 64})");
  EXPECT_EQ(trial.param_int("batch_size"), 64);
  trial.report(1, {{"loss", 0.5}});
}

TEST(client_outside_labsweep, TheEnvironmentIsRead) {
  EXPECT_EQ(in_child([] {
              ::setenv("LABSWEEP_TRIAL_ID", "12", 1);
              ::setenv("LABSWEEP_SWEEP_ID", "4", 1);
              ::setenv("LABSWEEP_TRIAL_DIR", "/runs/12", 1);
              ::setenv("LABSWEEP_SOCKET", "", 1);
              ::unsetenv("LABSWEEP_PARAMS_FILE");
              Trial trial;
              bool ok = trial.environment().trial_id == "12" &&
                        trial.environment().sweep_id == "4" &&
                        trial.environment().trial_dir == "/runs/12" && !trial.in_labsweep();
              return ok ? 0 : 1;
            }),
            0);
}

// ----- parameters -----

TEST(client_params, TypedAccessors) {
  TempDir dir;
  std::string file = dir.write("params.json", R"({
    "lr": 1e-3, "epochs": 20, "width": 64.0, "big": 1e3, "neg": -5,
    "name": "adam \"w\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 caf\u00E9 ℃",
    "amsgrad": true, "nesterov": false, "nothing": null,
    "layers": [64, [32, "x"], {"a": 1}],
    "optimizer": {"name": "sgd", "momentum": {"beta": 0.9}},
    "lr": 0.01
  })");
  Trial trial(Environment{"", "", "", file, ""});
  EXPECT_EQ(trial.param_double("lr"), 0.01);  // the last of a repeated name counts
  EXPECT_EQ(trial.param_double("epochs"), 20.0);
  EXPECT_EQ(trial.param_int("epochs"), 20);
  EXPECT_EQ(trial.param_int("width"), 64);
  EXPECT_EQ(trial.param_int("big"), 1000);
  EXPECT_EQ(trial.param_int("neg"), -5);
  EXPECT_EQ(trial.param_string("name"),
            "adam \"w\" \\ / \b\f\n\r\t \xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd caf\xc3\xa9 ℃");
  EXPECT_EQ(trial.param_bool("amsgrad"), true);
  EXPECT_EQ(trial.param_bool("nesterov"), false);
  EXPECT_EQ(trial.param_double("nothing"), std::nullopt);
  EXPECT_EQ(trial.param_string("absent"), std::nullopt);
  EXPECT_EQ(trial.param_raw("layers"), R"([64, [32, "x"], {"a": 1}])");
  EXPECT_EQ(trial.param_raw("name").value().front(), '"');
  std::optional<Params> optimizer = trial.params().get_group("optimizer");
  ASSERT_TRUE(optimizer);
  EXPECT_EQ(optimizer->get_string("name"), "sgd");
  EXPECT_EQ(optimizer->get_group("momentum")->get_double("beta"), 0.9);
  EXPECT_EQ(trial.params().names(),
            (std::vector<std::string>{"lr", "epochs", "width", "big", "neg", "name", "amsgrad",
                                      "nesterov", "nothing", "layers", "optimizer", "lr"}));
}

TEST(client_params, AParameterOfAnotherTypeIsAnError) {
  Params params =
      Params::parse(R"({"lr": "fast", "n": 2.5, "huge": 1e19, "over": 1e400, "g": {"x": []}})");
  struct Case {
    std::function<void()> call;
    std::string message;
  };
  std::vector<Case> cases = {
      {[&] { (void)params.get_double("lr"); },
       "labsweep: parameter 'lr' is a string, not a number"},
      {[&] { (void)params.get_bool("n"); }, "labsweep: parameter 'n' is a number, not a boolean"},
      {[&] { (void)params.get_string("g"); }, "labsweep: parameter 'g' is an object, not a string"},
      {[&] { (void)params.get_group("n"); }, "labsweep: parameter 'n' is a number, not an object"},
      {[&] { (void)params.get_int("n"); }, "labsweep: parameter 'n' is 2.5, not a 64-bit integer"},
      {[&] { (void)params.get_int("huge"); },
       "labsweep: parameter 'huge' is 1e19, not a 64-bit integer"},
      {[&] { (void)params.get_double("over"); },
       "labsweep: parameter 'over' is out of range for a double"},
      {[&] { (void)params.get_group("g")->get_double("x"); },
       "labsweep: parameter 'g.x' is an array, not a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    try {
      c.call();
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), c.message);
    }
  }
}

TEST(client_params, MalformedTextIsAClearError) {
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {"", "line 1, column 1: expected a value"},
      {"  \n ", "line 2, column 2: expected a value"},
      {"[1, 2]", " is not a JSON object"},
      {"\"lr\"", " is not a JSON object"},
      {"{\"lr\": 0.01,}", "line 1, column 13: expected a member name in double quotes"},
      {"{\"lr\" 0.01}", "line 1, column 7: expected ':'"},
      {"{\"lr\": 0.01", "line 1, column 12: expected ',' or '}'"},
      {"{\"lr\": 01}", "line 1, column 9: expected ',' or '}'"},
      {"{\"lr\": 1.}", "line 1, column 10: expected a digit"},
      {"{\"lr\": -}", "line 1, column 9: expected a digit"},
      {"{\"lr\": 1e}", "line 1, column 10: expected a digit"},
      {"{\"lr\": .5}", "line 1, column 8: expected a value"},
      {"{\"lr\": NaN}", "line 1, column 8: expected a value"},
      {"{\"lr\": tru}", "line 1, column 8: expected a value"},
      {"{'lr': 1}", "line 1, column 2: expected a member name in double quotes"},
      {"{\"lr\": \"a}", "line 1, column 11: unterminated string"},
      {"{\"lr\": \"a\nb\"}", "line 1, column 10: control character in a string"},
      {"{\"lr\": \"\\x\"}", "line 1, column 10: invalid escape"},
      {"{\"lr\": \"\\u12g4\"}", "line 1, column 11: expected four hex digits after \\u"},
      {"{\"lr\": \"\xc3\x28\"}", "line 1, column 9: invalid UTF-8"},
      {"{\"lr\": \"\xed\xa0\x80\"}", "line 1, column 9: invalid UTF-8"},  // a surrogate
      {"{\"lr\": \"\xc0\xaf\"}", "line 1, column 9: invalid UTF-8"},      // overlong
      {"{\"lr\": [1, 2,]}", "line 1, column 14: expected a value"},
      {"{\"lr\": [1 2]}", "line 1, column 11: expected ',' or ']'"},
      {"{\"lr\": 1} {}", "line 1, column 11: unexpected text after the object"},
      {"{\"a\": " + std::string(200, '[') + std::string(200, ']') + "}",
       "line 1, column 135: nested too deeply"},
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string file = dir.write("params.json", c.text);
    try {
      Trial trial(Environment{"", "", "", file, ""});
      ADD_FAILURE() << "no exception";
    } catch (const Error& e) {
      EXPECT_EQ(e.what(), "labsweep: LABSWEEP_PARAMS_FILE '" + file + "'" +
                              (c.message[0] == ' ' ? "" : ": ") + c.message);
    }
  }
}

TEST(client_params, AMissingParamsFileIsAClearError) {
  TempDir dir;
  std::string file = (dir.path() / "missing.json").string();
  try {
    Trial trial(Environment{"", "", "", file, ""});
    ADD_FAILURE() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), "labsweep: cannot read LABSWEEP_PARAMS_FILE '" + file +
                            "': No such file or directory");
  }
}

TEST(client_params, MutatedTextNeverCrashesTheScanner) {
  const std::string valid =
      R"({"a": [1, -2.5e3, true, false, null, {"b": "c\u00e9\n"}], "d": {"e": {}}, "f": ""})";
  ASSERT_TRUE(Params::try_parse(valid));
  const std::uint32_t seed = 20240611;
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 random(seed);
  const std::string alphabet = "{}[]\":,\\u0123456789eE+-. tfnrl\x80\xc3\xff\n";
  for (int i = 0; i < 20000; ++i) {
    std::string text = valid;
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = random() % text.size();
      char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          text[at] = c;
          break;
        case 1:
          text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c);
          break;
        default:
          text.erase(at, 1 + random() % 3);
          if (text.empty()) text = "{";
      }
    }
    std::optional<Params> params = Params::try_parse(text);
    if (params) {
      for (const std::string& name : params->names()) (void)params->get_raw(name);
    }
  }
}

}  // namespace
