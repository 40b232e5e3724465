#pragma once

// A trial's metrics socket (docs/trial-interface.md, "The metrics socket"; docs/agent.md): a
// Unix-domain stream socket that any number of the trial's processes connect to. Everything is
// non-blocking and single-threaded: the agent's loop waits on fd() and calls service(), which
// accepts connections, reads what has arrived and returns the parsed lines, in order per
// connection. Answers and stop notices are buffered per connection and written as the socket
// allows; a connection whose unsent output passes a bound is dropped, so a trial that does not
// read can never block the agent. Not thread-safe.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "agent/trial_line.h"
#include "agent/unique_fd.h"
#include "base/clock.h"
#include "base/status.h"

namespace labsweep::agent {

// Names one should_stop query: the connection that asked and the query's place on it.
struct QueryId {
  uint64_t connection = 0;
  uint64_t number = 0;  // counts the connection's queries from 0
  friend bool operator==(const QueryId&, const QueryId&) = default;
  friend auto operator<=>(const QueryId&, const QueryId&) = default;
};

// A report, with received_ms set from the injected clock.
struct ReceivedReport {
  uint64_t connection = 0;
  TrialReport report;
};

// A should_stop query; answer it with TrialSocket::answer(id, ...).
struct ReceivedQuery {
  QueryId id;
  int64_t step = 0;
  int64_t received_ms = 0;
};

// A line that was dropped: malformed, over the limit, or cut off by the connection closing.
// `error` says why, for the agent's log ("line 3 on connection 2: step: ...").
struct RejectedLine {
  uint64_t connection = 0;
  std::string error;
};

using TrialSocketEvent = std::variant<ReceivedReport, ReceivedQuery, RejectedLine>;

// The early-stopping decision for one query.
struct StopDecision {
  bool stop = false;
  std::string reason;  // written with "stop" only
};

struct TrialSocketStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_refused = 0;     // past kMaxConnections
  uint64_t connections_overflowed = 0;  // dropped because their unsent output passed the bound
  uint64_t reports = 0;
  uint64_t queries = 0;
  uint64_t rejected_lines = 0;  // every RejectedLine, the over-long ones included
  uint64_t overlong_lines = 0;
};

class TrialSocket {
 public:
  static constexpr std::size_t kMaxPendingOutputBytes = 1 << 20;  // per connection
  static constexpr std::size_t kMaxConnections = 1024;
  // Bytes read from one connection per service() call, so one chatty process cannot starve
  // the others; the rest waits for the next call (fd() stays readable).
  static constexpr std::size_t kMaxReadPerService = 256 * 1024;

  // Listens at `path` (at most 107 bytes), mode 0600. A stale socket at the path is removed
  // first; anything else there is an error. `clock` must outlive the socket.
  static Result<std::unique_ptr<TrialSocket>> open(const std::filesystem::path& path,
                                                   const Clock& clock);
  ~TrialSocket();  // closes every connection and removes the path
  TrialSocket(const TrialSocket&) = delete;
  TrialSocket& operator=(const TrialSocket&) = delete;

  // Readable (poll/epoll for POLLIN) when service() has something to do: a connection to
  // accept, input to read, or buffered output that can now be written.
  int fd() const;

  // Does all of the above without blocking and returns the lines read, in order per
  // connection.
  std::vector<TrialSocketEvent> service();

  // Every line still waiting once the trial's processes have exited: service() again until a
  // call finds nothing to do. One call is not enough: a process that connected, wrote and
  // exited before the loop came round has a connection still to accept, whose lines the next
  // call reads; and one call reads at most kMaxReadPerService from each connection. Bounded,
  // since a process the trial left behind could keep writing.
  std::vector<TrialSocketEvent> drain();

  // Answers a query with {"decision":"continue"|"stop","step":N[,"reason":...]}. Answers go
  // out in the order of the queries on their connection: an answer waits for the answers to
  // earlier queries there. An id that is unknown, already answered, or whose connection has
  // gone is ignored (returns false).
  bool answer(const QueryId& id, const StopDecision& decision);

  // Writes {"action":"stop","reason":...} once on every open connection, and as the first line
  // on every later one. Only the first call counts.
  void send_stop_notice(const std::string& reason);
  bool stop_notice_sent() const { return stop_notice_.has_value(); }

  // The queries not yet answered, oldest first (e.g. to answer them all "continue" on a
  // timeout, or "stop" once the trial is being stopped).
  std::vector<QueryId> unanswered_queries() const;

  std::size_t connection_count() const;
  const TrialSocketStats& stats() const { return stats_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Connection;
  TrialSocket(std::filesystem::path path, const Clock& clock, UniqueFd listener, UniqueFd epoll);
  // service()'s work, plus whether epoll reported anything to do.
  bool service_into(std::vector<TrialSocketEvent>& out);
  void accept_all();
  void serve(Connection& c, uint32_t events, std::vector<TrialSocketEvent>& out);
  void read_from(Connection& c, std::vector<TrialSocketEvent>& out);
  void take_bytes(Connection& c, std::string_view bytes, std::vector<TrialSocketEvent>& out);
  void take_line(Connection& c, std::string_view line, std::vector<TrialSocketEvent>& out);
  void reject(Connection& c, const std::string& why, std::vector<TrialSocketEvent>& out);
  void queue_output(Connection& c, const std::string& text);
  void flush(Connection& c);
  void flush_answers(Connection& c);
  void update_interest(Connection& c);
  void close_finished();

  std::filesystem::path path_;
  const Clock& clock_;
  UniqueFd listener_;
  UniqueFd epoll_;
  uint64_t next_connection_ = 1;
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::optional<std::string> stop_notice_;  // the line, once sent
  TrialSocketStats stats_;
};

}  // namespace labsweep::agent
