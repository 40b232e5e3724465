#include "protocol/codec.h"

#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "protocol/msgpack_document.h"

namespace labsweep::protocol {
namespace {

using nlohmann::json;

// ---- encoding ------------------------------------------------------------------------------

json gpus_json(const std::vector<GpuState>& gpus) {
  json out = json::array();
  for (const GpuState& g : gpus) {
    out.push_back({{"index", g.index},
                   {"name", g.name},
                   {"memory_total_mb", g.memory_total_mb},
                   {"memory_used_by_others_mb", g.memory_used_by_others_mb},
                   {"used_by_others", g.used_by_others}});
  }
  return out;
}

json body(const Hello& m) {
  return {{"agent_name", m.agent_name},       {"host", m.host},
          {"gpus", gpus_json(m.gpus)},        {"cpu_slots", m.cpu_slots},
          {"slots_per_gpu", m.slots_per_gpu}, {"running_trials", m.running_trials}};
}
json body(const Welcome& m) { return {{"heartbeat_ms", m.heartbeat_interval.count()}}; }
json body(const Heartbeat& m) { return {{"gpus", gpus_json(m.gpus)}}; }
json body(const Assign& m) {
  json env = json::array();
  for (const auto& [k, v] : m.env) env.push_back(json::array({k, v}));
  return {{"trial_id", m.trial_id},
          {"sweep_id", m.sweep_id},
          {"argv", m.argv},
          {"env", env},
          {"gpus", m.gpus},
          {"params_json", m.params_json},
          {"stdout_regex", m.stdout_regex},
          {"stop_grace_ms", m.stop_grace.count()},
          {"kill_delay_ms", m.kill_delay.count()}};
}
json body(const Stop& m) { return {{"trial_id", m.trial_id}, {"reason", m.reason}}; }
json body(const Metrics& m) {
  json points = json::array();
  for (const MetricPoint& p : m.points) {
    points.push_back(json::array({p.step, p.name, p.value, p.time_ms}));
  }
  return {{"seq", m.seq}, {"trial_id", m.trial_id}, {"points", points}};
}
json body(const TrialStarted& m) {
  return {{"seq", m.seq}, {"trial_id", m.trial_id}, {"time_ms", m.time_ms}};
}
json body(const TrialEnded& m) {
  return {{"seq", m.seq},        {"trial_id", m.trial_id}, {"exit_code", m.exit_code},
          {"signal", m.signal},  {"stopped", m.stopped},   {"stderr_tail", m.stderr_tail},
          {"time_ms", m.time_ms}};
}
json body(const Ack& m) { return {{"seq", m.seq}}; }
json body(const Decide& m) {
  return {{"query", m.query}, {"trial_id", m.trial_id}, {"step", m.step}};
}
json body(const Decision& m) {
  return {{"query", m.query},
          {"trial_id", m.trial_id},
          {"step", m.step},
          {"stop", m.stop},
          {"reason", m.reason}};
}

// ---- decoding ------------------------------------------------------------------------------

// Reads the fields of one message body, remembering the first problem, which names the field.
// Borrows `body`, which must outlive it.
class Fields {
 public:
  explicit Fields(const json& body) : body_(body) {}

  const std::string& error() const { return error_; }

  template <typename Int>
  Int integer(const char* name) {
    const json* v = get(name);
    if (!v) return 0;
    if (v->is_number_unsigned() &&
        v->get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
      return static_cast<Int>(v->get<uint64_t>());
    }
    if (v->is_number_integer() && !v->is_number_unsigned() &&
        v->get<int64_t>() >= static_cast<int64_t>(std::numeric_limits<Int>::min()) &&
        v->get<int64_t>() <= static_cast<int64_t>(std::numeric_limits<Int>::max())) {
      return static_cast<Int>(v->get<int64_t>());
    }
    fail(name, "an integer in range");
    return 0;
  }
  std::string text(const char* name) {
    const json* v = get(name);
    if (v && v->is_string()) return v->get<std::string>();
    if (v) fail(name, "a string");
    return {};
  }
  bool flag(const char* name) {
    const json* v = get(name);
    if (v && v->is_boolean()) return v->get<bool>();
    if (v) fail(name, "a boolean");
    return false;
  }
  const json& list(const char* name) {
    static const json kEmpty = json::array();
    const json* v = get(name);
    if (v && v->is_array()) return *v;
    if (v) fail(name, "a list");
    return kEmpty;
  }
  void fail(const std::string& name, const char* expected) {
    if (error_.empty()) error_ = "field '" + name + "': expected " + expected;
  }

 private:
  const json* get(const char* name) {
    auto it = body_.find(name);
    if (it == body_.end()) {
      if (error_.empty()) error_ = "field '" + std::string(name) + "' is missing";
      return nullptr;
    }
    return &*it;
  }

  const json& body_;
  std::string error_;
};

template <typename T, typename ReadItem>
std::vector<T> read_list(Fields& f, const char* name, ReadItem read_item) {
  std::vector<T> out;
  for (const json& item : f.list(name)) {
    std::optional<T> v = read_item(item);
    if (!v) {
      f.fail(name, "a list of well-formed items");
      return {};
    }
    out.push_back(std::move(*v));
  }
  return out;
}

std::vector<GpuState> read_gpus(Fields& f) {
  return read_list<GpuState>(f, "gpus", [](const json& item) -> std::optional<GpuState> {
    if (!item.is_object()) return std::nullopt;
    Fields g(item);
    GpuState s{g.integer<int>("index"), g.text("name"), g.integer<int64_t>("memory_total_mb"),
               g.integer<int64_t>("memory_used_by_others_mb"), g.flag("used_by_others")};
    return g.error().empty() ? std::optional(s) : std::nullopt;
  });
}

std::vector<std::string> read_strings(Fields& f, const char* name) {
  return read_list<std::string>(f, name, [](const json& item) -> std::optional<std::string> {
    return item.is_string() ? std::optional(item.get<std::string>()) : std::nullopt;
  });
}

template <typename Int>
std::vector<Int> read_integers(Fields& f, const char* name) {
  return read_list<Int>(f, name, [](const json& item) -> std::optional<Int> {
    const json wrapped = json::object({{"x", item}});  // Fields borrows the document
    Fields one(wrapped);
    Int v = one.integer<Int>("x");
    return one.error().empty() ? std::optional(v) : std::nullopt;
  });
}

Message read_hello(Fields& f) {
  return Hello{f.text("agent_name"),
               f.text("host"),
               read_gpus(f),
               f.integer<int>("cpu_slots"),
               f.integer<int>("slots_per_gpu"),
               read_integers<int64_t>(f, "running_trials")};
}

Message read_assign(Fields& f) {
  Assign m;
  m.trial_id = f.integer<int64_t>("trial_id");
  m.sweep_id = f.integer<int64_t>("sweep_id");
  m.argv = read_strings(f, "argv");
  m.env = read_list<std::pair<std::string, std::string>>(
      f, "env", [](const json& item) -> std::optional<std::pair<std::string, std::string>> {
        if (!item.is_array() || item.size() != 2 || !item[0].is_string() || !item[1].is_string()) {
          return std::nullopt;
        }
        return std::pair{item[0].get<std::string>(), item[1].get<std::string>()};
      });
  m.gpus = read_integers<int>(f, "gpus");
  m.params_json = f.text("params_json");
  m.stdout_regex = f.text("stdout_regex");
  m.stop_grace = std::chrono::milliseconds(f.integer<int64_t>("stop_grace_ms"));
  m.kill_delay = std::chrono::milliseconds(f.integer<int64_t>("kill_delay_ms"));
  return m;
}

Message read_metrics(Fields& f) {
  Metrics m{f.integer<uint64_t>("seq"), f.integer<int64_t>("trial_id"), {}};
  m.points = read_list<MetricPoint>(f, "points", [](const json& p) -> std::optional<MetricPoint> {
    if (!p.is_array() || p.size() != 4 || !p[1].is_string() || !p[2].is_number()) {
      return std::nullopt;
    }
    const json numbers = json::object({{"step", p[0]}, {"time", p[3]}});
    Fields n(numbers);
    MetricPoint point{n.integer<int64_t>("step"), p[1].get<std::string>(), p[2].get<double>(),
                      n.integer<int64_t>("time")};
    return n.error().empty() ? std::optional(point) : std::nullopt;
  });
  return m;
}

Message read_trial_ended(Fields& f) {
  TrialEnded m;
  m.seq = f.integer<uint64_t>("seq");
  m.trial_id = f.integer<int64_t>("trial_id");
  m.exit_code = f.integer<int>("exit_code");
  m.signal = f.integer<int>("signal");
  m.stopped = f.flag("stopped");
  m.stderr_tail = f.text("stderr_tail");
  m.time_ms = f.integer<int64_t>("time_ms");
  return m;
}

Result<Message> read_body(const std::string& type, Fields& f) {
  if (type == "hello") return read_hello(f);
  if (type == "welcome") {
    return Message{Welcome{std::chrono::milliseconds(f.integer<int64_t>("heartbeat_ms"))}};
  }
  if (type == "heartbeat") return Message{Heartbeat{read_gpus(f)}};
  if (type == "assign") return read_assign(f);
  if (type == "stop") return Message{Stop{f.integer<int64_t>("trial_id"), f.text("reason")}};
  if (type == "metrics") return read_metrics(f);
  if (type == "trial_started") {
    return Message{TrialStarted{f.integer<uint64_t>("seq"), f.integer<int64_t>("trial_id"),
                                f.integer<int64_t>("time_ms")}};
  }
  if (type == "trial_ended") return read_trial_ended(f);
  if (type == "ack") return Message{Ack{f.integer<uint64_t>("seq")}};
  if (type == "decide") {
    return Message{Decide{f.integer<uint64_t>("query"), f.integer<int64_t>("trial_id"),
                          f.integer<int64_t>("step")}};
  }
  if (type == "decision") {
    return Message{Decision{f.integer<uint64_t>("query"), f.integer<int64_t>("trial_id"),
                            f.integer<int64_t>("step"), f.flag("stop"), f.text("reason")}};
  }
  return invalid_argument("unknown message type '" + type + "'");
}

}  // namespace

const char* type_name(const Message& message) {
  static constexpr const char* kNames[] = {"hello", "welcome", "heartbeat",     "assign",
                                           "stop",  "metrics", "trial_started", "trial_ended",
                                           "ack",   "decide",  "decision"};
  static_assert(std::size(kNames) == std::variant_size_v<Message>, "a name for every message");
  return kNames[message.index()];
}

std::string encode(const Message& message) {
  json frame = std::visit([](const auto& m) { return body(m); }, message);
  frame["v"] = kProtocolVersion;
  frame["t"] = type_name(message);
  std::vector<uint8_t> bytes = json::to_msgpack(frame);
  return std::string(bytes.begin(), bytes.end());
}

Result<Message> decode(std::string_view frame) {
  if (frame.size() > kMaxFrameBytes) return invalid_argument("frame larger than 16 MiB");
  Result<json> document = parse_msgpack(frame);
  if (!document.is_ok()) return document.status();
  if (!document->is_object()) return invalid_argument("a frame must be a MessagePack map");
  Fields header(*document);
  int version = header.integer<int>("v");
  std::string type = header.text("t");
  if (!header.error().empty()) return invalid_argument(header.error());
  if (version != kProtocolVersion) {
    return invalid_argument("protocol version " + std::to_string(version) + " is not " +
                            std::to_string(kProtocolVersion));
  }
  Fields fields(*document);
  Result<Message> message = read_body(type, fields);
  if (!message.is_ok()) return message;
  if (!fields.error().empty()) return invalid_argument(type + ": " + fields.error());
  return message;
}

}  // namespace labsweep::protocol
