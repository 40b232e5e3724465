#include "agent/trial_socket.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <deque>
#include <nlohmann/json.hpp>

namespace labsweep::agent {
namespace {

constexpr uint64_t kListenerId = 0;  // epoll data of the listener; connections count from 1

std::string errno_text(int error) { return std::strerror(error); }

// Text for people from outside (a stop reason) may not be UTF-8: replace what is not.
std::string to_line(const nlohmann::json& object) {
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<sockaddr_un> address_of(const std::filesystem::path& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string& text = path.native();
  if (text.empty() || text.size() >= sizeof address.sun_path) {
    return invalid_argument("trial socket path '" + text + "' must be 1 to " +
                            std::to_string(sizeof address.sun_path - 1) + " bytes");
  }
  std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
  return address;
}

// Removes a socket left at `path` by an agent that died; refuses to touch anything else, and a
// socket that someone still listens on.
Status remove_stale(const std::filesystem::path& path, const sockaddr_un& address) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::ok();
    return io_error("trial socket '" + path.string() + "': " + errno_text(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    return Status(StatusCode::kFailedPrecondition,
                  "trial socket '" + path.string() + "': something other than a socket is there");
  }
  UniqueFd probe(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (probe.valid() &&
      (connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 ||
       errno == EAGAIN)) {
    return Status(StatusCode::kFailedPrecondition,
                  "trial socket '" + path.string() + "': another process listens there");
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return io_error("trial socket '" + path.string() +
                    "': cannot remove the stale socket: " + errno_text(errno));
  }
  return Status::ok();
}

Result<UniqueFd> listen_at(const std::filesystem::path& path, const sockaddr_un& address) {
  auto failed = [&](const char* what) {
    return io_error("trial socket '" + path.string() + "': " + what + ": " + errno_text(errno));
  };
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return failed("socket");
  if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return failed("bind");
  }
  // Nobody can connect before listen(), so restricting the mode here leaves no window.
  if (chmod(path.c_str(), 0600) != 0) {
    Status s = failed("chmod");
    unlink(path.c_str());
    return s;
  }
  if (listen(fd.get(), SOMAXCONN) != 0) {
    Status s = failed("listen");
    unlink(path.c_str());
    return s;
  }
  return fd;
}

}  // namespace

// One accepted connection: what was read but not yet a whole line, what waits to be written,
// and the answers owed, in the order of the queries.
struct TrialSocket::Connection {
  struct Owed {
    uint64_t number = 0;
    int64_t step = 0;
    std::optional<std::string> line;  // set once answered
  };

  uint64_t id = 0;
  UniqueFd fd;
  std::string partial;       // the start of a line whose newline has not arrived
  bool discarding = false;   // inside an over-long line, dropping bytes up to its newline
  uint64_t lines = 0;        // lines seen, for messages
  bool read_closed = false;  // the peer will send nothing more
  bool finished = false;     // to be closed: broken, overflowed, or nothing more to do
  std::string output;
  uint32_t interest = 0;  // the epoll events registered now
  uint64_t next_query = 0;
  std::deque<Owed> owed;
};

Result<std::unique_ptr<TrialSocket>> TrialSocket::open(const std::filesystem::path& path,
                                                       const Clock& clock) {
  Result<sockaddr_un> address = address_of(path);
  if (!address) return address.status();
  if (Status s = remove_stale(path, *address); !s.is_ok()) return s;
  Result<UniqueFd> listener = listen_at(path, *address);
  if (!listener) return listener.status();
  UniqueFd epoll(epoll_create1(EPOLL_CLOEXEC));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kListenerId;
  if (!epoll.valid() || epoll_ctl(epoll.get(), EPOLL_CTL_ADD, listener->get(), &event) != 0) {
    Status s = io_error("trial socket '" + path.string() + "': epoll: " + errno_text(errno));
    unlink(path.c_str());
    return s;
  }
  return std::unique_ptr<TrialSocket>(
      new TrialSocket(path, clock, std::move(*listener), std::move(epoll)));
}

TrialSocket::TrialSocket(std::filesystem::path path, const Clock& clock, UniqueFd listener,
                         UniqueFd epoll)
    : path_(std::move(path)),
      clock_(clock),
      listener_(std::move(listener)),
      epoll_(std::move(epoll)) {}

TrialSocket::~TrialSocket() {
  connections_.clear();
  listener_.reset();
  unlink(path_.c_str());
}

int TrialSocket::fd() const { return epoll_.get(); }

std::size_t TrialSocket::connection_count() const { return connections_.size(); }

std::vector<TrialSocketEvent> TrialSocket::service() {
  std::vector<TrialSocketEvent> out;
  service_into(out);
  return out;
}

std::vector<TrialSocketEvent> TrialSocket::drain() {
  constexpr int kMaxRounds = 64;  // up to 16 MiB from each connection
  std::vector<TrialSocketEvent> out;
  for (int round = 0; round < kMaxRounds && service_into(out); ++round) {
  }
  return out;
}

bool TrialSocket::service_into(std::vector<TrialSocketEvent>& out) {
  epoll_event events[64];
  int n = epoll_wait(epoll_.get(), events, 64, 0);
  for (int i = 0; i < n; ++i) {
    uint64_t id = events[i].data.u64;
    if (id == kListenerId) {
      accept_all();
      continue;
    }
    auto it = connections_.find(id);
    if (it != connections_.end()) serve(*it->second, events[i].events, out);
  }
  close_finished();
  return n > 0;
}

void TrialSocket::accept_all() {
  while (true) {
    UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) return;  // EAGAIN: none left; other errors: try again on the next call
    if (connections_.size() >= kMaxConnections) {
      ++stats_.connections_refused;
      continue;  // closed at once: a runaway trial cannot exhaust the agent's descriptors
    }
    auto c = std::make_unique<Connection>();
    c->id = next_connection_++;
    c->fd = std::move(fd);
    epoll_event event{};
    event.events = c->interest = EPOLLIN;
    event.data.u64 = c->id;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, c->fd.get(), &event) != 0) continue;
    ++stats_.connections_accepted;
    Connection& added = *connections_.emplace(c->id, std::move(c)).first->second;
    if (stop_notice_) queue_output(added, *stop_notice_);
  }
}

void TrialSocket::serve(Connection& c, uint32_t events, std::vector<TrialSocketEvent>& out) {
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !c.read_closed) read_from(c, out);
  if (events & EPOLLOUT) flush(c);
  // Hung up both ways: nothing can be written any more, not even owed answers.
  if (events & (EPOLLHUP | EPOLLERR) && c.read_closed) c.finished = true;
}

void TrialSocket::read_from(Connection& c, std::vector<TrialSocketEvent>& out) {
  char buffer[65536];
  std::size_t total = 0;
  while (total < kMaxReadPerService) {
    ssize_t n = recv(c.fd.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {  // the peer closed (or reset) its sending side
      if (!c.partial.empty() && !c.discarding) {
        ++c.lines;
        reject(c, "the connection closed inside a line (no newline)", out);
      }
      c.partial.clear();
      c.read_closed = true;
      if (n < 0) c.finished = true;
      update_interest(c);
      if (c.owed.empty() && c.output.empty()) c.finished = true;
      return;
    }
    total += std::size_t(n);
    take_bytes(c, std::string_view(buffer, std::size_t(n)), out);
  }
}

void TrialSocket::take_bytes(Connection& c, std::string_view bytes,
                             std::vector<TrialSocketEvent>& out) {
  while (!bytes.empty()) {
    std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      if (c.discarding) return;
      c.partial.append(bytes);
      if (c.partial.size() >= kMaxTrialLineBytes) {  // its newline would pass the limit
        ++stats_.overlong_lines;
        ++c.lines;
        reject(c, "line longer than " + std::to_string(kMaxTrialLineBytes) + " bytes", out);
        c.partial.clear();
        c.discarding = true;
      }
      return;
    }
    std::string_view piece = bytes.substr(0, newline);
    bytes.remove_prefix(newline + 1);
    if (c.discarding) {
      c.discarding = false;
      continue;
    }
    if (c.partial.empty()) {
      take_line(c, piece, out);
    } else {
      c.partial.append(piece);
      std::string line = std::move(c.partial);
      c.partial.clear();
      take_line(c, line, out);
    }
  }
}

void TrialSocket::take_line(Connection& c, std::string_view line,
                            std::vector<TrialSocketEvent>& out) {
  ++c.lines;
  if (line.size() >= kMaxTrialLineBytes) ++stats_.overlong_lines;
  Result<TrialLine> parsed = parse_trial_line(line);
  if (!parsed) {
    reject(c, parsed.status().message(), out);
    return;
  }
  if (auto* report = std::get_if<TrialReport>(&*parsed)) {
    ++stats_.reports;
    report->received_ms = clock_.wall_ms();
    out.push_back(ReceivedReport{c.id, std::move(*report)});
    return;
  }
  ++stats_.queries;
  int64_t step = std::get<StopQuery>(*parsed).step;
  uint64_t number = c.next_query++;
  c.owed.push_back({number, step, std::nullopt});
  out.push_back(ReceivedQuery{{c.id, number}, step, clock_.wall_ms()});
}

void TrialSocket::reject(Connection& c, const std::string& why,
                         std::vector<TrialSocketEvent>& out) {
  ++stats_.rejected_lines;
  out.push_back(RejectedLine{c.id, "line " + std::to_string(c.lines) + " on connection " +
                                       std::to_string(c.id) + ": " + why});
}

bool TrialSocket::answer(const QueryId& id, const StopDecision& decision) {
  auto it = connections_.find(id.connection);
  if (it == connections_.end()) return false;
  Connection& c = *it->second;
  for (Connection::Owed& owed : c.owed) {
    if (owed.number != id.number) continue;
    if (owed.line) return false;
    nlohmann::json line = {{"decision", decision.stop ? "stop" : "continue"}, {"step", owed.step}};
    if (decision.stop) line["reason"] = decision.reason;
    owed.line = to_line(line);
    flush_answers(c);
    close_finished();
    return true;
  }
  return false;
}

void TrialSocket::flush_answers(Connection& c) {
  while (!c.owed.empty() && c.owed.front().line) {
    queue_output(c, *c.owed.front().line);
    c.owed.pop_front();
  }
  if (c.read_closed && c.owed.empty() && c.output.empty()) c.finished = true;
}

void TrialSocket::send_stop_notice(const std::string& reason) {
  if (stop_notice_) return;
  stop_notice_ = to_line({{"action", "stop"}, {"reason", reason}});
  for (auto& [id, c] : connections_) queue_output(*c, *stop_notice_);
  close_finished();
}

std::vector<QueryId> TrialSocket::unanswered_queries() const {
  std::vector<QueryId> out;
  for (const auto& [id, c] : connections_) {
    for (const Connection::Owed& owed : c->owed) {
      if (!owed.line) out.push_back({id, owed.number});
    }
  }
  return out;
}

void TrialSocket::queue_output(Connection& c, const std::string& text) {
  if (c.finished) return;
  if (c.output.size() + text.size() > kMaxPendingOutputBytes) {
    // The trial does not read what we write; dropping it beats buffering without end.
    ++stats_.connections_overflowed;
    c.finished = true;
    return;
  }
  c.output += text;
  flush(c);
}

void TrialSocket::flush(Connection& c) {
  while (!c.output.empty() && !c.finished) {
    ssize_t n = send(c.fd.get(), c.output.data(), c.output.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) {  // EPIPE, ECONNRESET: the peer is gone
      c.finished = true;
      return;
    }
    c.output.erase(0, std::size_t(n));
  }
  if (c.read_closed && c.owed.empty() && c.output.empty()) c.finished = true;
  update_interest(c);
}

void TrialSocket::update_interest(Connection& c) {
  uint32_t wanted =
      (c.read_closed ? 0u : uint32_t(EPOLLIN)) | (c.output.empty() ? 0u : uint32_t(EPOLLOUT));
  if (wanted == c.interest || c.finished) return;
  epoll_event event{};
  event.events = wanted;
  event.data.u64 = c.id;
  if (epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, c.fd.get(), &event) == 0) c.interest = wanted;
}

void TrialSocket::close_finished() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->second->finished) {
      epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second->fd.get(), nullptr);
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace labsweep::agent
