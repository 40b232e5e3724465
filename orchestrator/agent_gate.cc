#include "orchestrator/agent_gate.h"

#include <zmq.h>

#include <array>
#include <cstring>
#include <vector>

#include "base/log.h"
#include "protocol/authorized_keys.h"
#include "protocol/curve_keys.h"

namespace labsweep::orchestrator {
namespace {

// ZeroMQ's fixed address for the ZAP handler of a context (RFC 27).
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

void warn(const std::string& message) { log_line(LogLevel::kWarning, "server", message); }

std::string unique_monitor_endpoint(const void* owner) {
  char text[64];
  std::snprintf(text, sizeof text, "inproc://labsweep.agent-monitor.%p", owner);
  return text;
}

bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

std::string z85_of(const zmq::message_t& key) {
  if (key.size() != 32) return "(not a CURVE key)";
  std::array<char, 41> text{};
  zmq_z85_encode(text.data(), static_cast<const uint8_t*>(key.data()), 32);
  return text.data();
}

}  // namespace

AgentGate::AgentGate(zmq::context_t& context, std::filesystem::path authorized_keys,
                     std::chrono::milliseconds reload_interval)
    : path_(std::move(authorized_keys)),
      reload_interval_(reload_interval),
      monitor_endpoint_(unique_monitor_endpoint(this)),
      zap_(context, zmq::socket_type::rep),
      monitor_(context, zmq::socket_type::pair) {}

Result<std::unique_ptr<AgentGate>> AgentGate::start(zmq::context_t& context,
                                                    std::filesystem::path authorized_keys,
                                                    std::chrono::milliseconds reload_interval) {
  std::unique_ptr<AgentGate> gate(
      new AgentGate(context, std::move(authorized_keys), reload_interval));
  if (Status loaded = gate->load(); !loaded.is_ok()) return loaded;
  try {
    gate->zap_.set(zmq::sockopt::linger, 0);
    gate->zap_.bind(kZapEndpoint);
    gate->monitor_.set(zmq::sockopt::linger, 0);
    // inproc allows connecting before the ROUTER's monitor binds.
    gate->monitor_.connect(gate->monitor_endpoint_);
  } catch (const zmq::error_t& e) {
    return io_error(std::string("start the agents' authentication handler: ") + e.what());
  }
  gate->thread_ = std::thread([g = gate.get()] { g->run(); });
  return gate;
}

AgentGate::~AgentGate() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

bool AgentGate::admits(std::string_view key) const {
  MutexLock lock(mu_);
  return names_.find(key) != names_.end();
}

Status AgentGate::load() {
  struct stat now {};
  if (::stat(path_.c_str(), &now) != 0) now = {};
  Result<protocol::AuthorizedKeys> keys = protocol::AuthorizedKeys::read(path_);
  if (!keys) return keys.status();
  std::map<std::string, std::string, std::less<>> names;
  for (const protocol::AuthorizedKey& entry : keys->entries()) names[entry.key] = entry.name;
  {
    MutexLock lock(mu_);
    names_.swap(names);
  }
  loaded_ = now;
  return Status::ok();
}

void AgentGate::reload_if_changed() {
  struct stat now {};
  if (::stat(path_.c_str(), &now) != 0) now = {};
  if (same_file_state(now, loaded_)) return;
  // A broken file keeps the list as it was: the admin sees the warning, and a typo does not
  // lock every agent out. `labsweep keys` only ever writes whole, valid files.
  if (Status loaded = load(); !loaded.is_ok()) {
    loaded_ = now;  // warn once per change, not on every check
    warn("authorised agents not reloaded, the previous list stays in force: " + loaded.message());
    return;
  }
  log_line(LogLevel::kInfo, "server", "reloaded the authorised agents from " + path_.string());
}

void AgentGate::run() {
  std::vector<zmq::pollitem_t> items = {{zap_.handle(), 0, ZMQ_POLLIN, 0},
                                        {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
  auto next_check = std::chrono::steady_clock::now() + reload_interval_;
  while (!stop_.load()) {
    try {
      zmq::poll(items, reload_interval_);
      if (std::chrono::steady_clock::now() >= next_check) {
        reload_if_changed();
        next_check = std::chrono::steady_clock::now() + reload_interval_;
      }
      if (items[0].revents & ZMQ_POLLIN) answer(zap_);
      if (items[1].revents & ZMQ_POLLIN) note_monitor_event(monitor_);
    } catch (const zmq::error_t& e) {
      if (e.num() == ETERM) return;
      if (e.num() != EINTR) warn(std::string("agents' authentication handler: ") + e.what());
    }
  }
}

void AgentGate::answer(zmq::socket_t& zap) {
  std::vector<zmq::message_t> request;
  do {
    request.emplace_back();
    if (!zap.recv(request.back(), zmq::recv_flags::none)) return;
  } while (zap.get(zmq::sockopt::rcvmore));
  // version, request id, domain, address, routing id, mechanism, credentials (RFC 27)
  std::string request_id = request.size() > 1 ? request[1].to_string() : "";
  std::string address = request.size() > 3 ? request[3].to_string() : "?";
  std::string mechanism = request.size() > 5 ? request[5].to_string() : "";
  std::string key = mechanism == "CURVE" && request.size() > 6 ? z85_of(request[6]) : "";
  std::string name;
  {
    MutexLock lock(mu_);
    auto it = names_.find(key);
    if (it != names_.end()) name = it->second;
  }
  bool admitted = !name.empty();
  if (!admitted) {
    ++refused_;
    log_refusal(key + address, "refused an agent from " + address + ": " +
                                   (key.empty() ? "mechanism " + mechanism + " is not CURVE"
                                                : "key " + key + " is not authorised (" +
                                                      protocol::authorize_command(key) + ")"));
  }
  // The user id is the client's public key: the ROUTER hands it on with every frame, as the
  // "User-Id" property, so that the link can tell whose key each message carries.
  std::array<std::string, 6> reply = {
      "1.0", request_id, admitted ? "200" : "400", admitted ? "OK" : "not authorised", key, ""};
  for (size_t i = 0; i < reply.size(); ++i) {
    auto flags = i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    (void)zap.send(zmq::buffer(reply[i]), flags);
  }
}

void AgentGate::note_monitor_event(zmq::socket_t& monitor) {
  zmq::message_t event;
  zmq::message_t address;
  if (!monitor.recv(event, zmq::recv_flags::none)) return;
  if (monitor.get(zmq::sockopt::rcvmore)) (void)monitor.recv(address, zmq::recv_flags::none);
  if (event.size() < 6) return;
  uint16_t id = 0;
  uint32_t value = 0;
  std::memcpy(&id, event.data(), sizeof id);
  std::memcpy(&value, static_cast<const char*>(event.data()) + 2, sizeof value);
  if (id != ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && id != ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    return;
  // ZeroMQ names only the local endpoint here, not the peer: refusals of CURVE clients, logged
  // by answer(), carry the peer's address.
  ++refused_;
  log_refusal(
      "handshake " + address.to_string(),
      "refused a connection on " + address.to_string() +
          " that failed the handshake before authentication (a plaintext agent, one with the wrong "
          "server key, or another protocol; ZeroMQ error " +
          std::to_string(value) + ")");
}

void AgentGate::log_refusal(const std::string& who, const std::string& message) {
  auto now = std::chrono::steady_clock::now();
  if (last_logged_.size() > 10'000) last_logged_.clear();  // a flood of strangers: start over
  auto [it, is_new] = last_logged_.try_emplace(who, now);
  if (!is_new && now - it->second < std::chrono::minutes(1)) return;
  it->second = now;
  warn(message);
}

}  // namespace labsweep::orchestrator
