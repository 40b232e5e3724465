#include "protocol/codec.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <string>
#include <variant>

#include "protocol/msgpack_reader.h"
#include "protocol/msgpack_writer.h"

namespace labsweep::protocol {
namespace {

constexpr int kMaxDepth = 16;

// ---- encoding ------------------------------------------------------------------------------

// Every frame is one map: the version and the type, then the message's own fields.
void begin(MsgpackWriter& w, const char* type, uint32_t fields) {
  w.map(fields + 2);
  w.entry("v", kProtocolVersion);
  w.entry("t", type);
}

template <typename Item, typename WriteItem>
void write_list(MsgpackWriter& w, std::string_view key, const std::vector<Item>& items,
                WriteItem write_item) {
  w.str(key);
  w.array(static_cast<uint32_t>(items.size()));
  for (const Item& item : items) write_item(item);
}

void write_gpus(MsgpackWriter& w, const std::vector<GpuState>& gpus) {
  write_list(w, "gpus", gpus, [&w](const GpuState& g) {
    w.map(5 + (g.memory_used_mb ? 1 : 0) + (g.utilization_percent ? 1 : 0));
    w.entry("index", g.index);
    w.entry("name", g.name);
    w.entry("memory_total_mb", g.memory_total_mb);
    w.entry("memory_used_by_others_mb", g.memory_used_by_others_mb);
    w.entry("used_by_others", g.used_by_others);
    // Left out when unknown: a missing member means "not reported", which 0 would not.
    if (g.memory_used_mb) w.entry("memory_used_mb", *g.memory_used_mb);
    if (g.utilization_percent) w.entry("utilization_percent", *g.utilization_percent);
  });
}

void write(MsgpackWriter& w, const Hello& m) {
  begin(w, "hello", 6);
  w.entry("agent_name", m.agent_name);
  w.entry("host", m.host);
  write_gpus(w, m.gpus);
  w.entry("cpu_slots", m.cpu_slots);
  w.entry("slots_per_gpu", m.slots_per_gpu);
  write_list(w, "running_trials", m.running_trials, [&w](int64_t id) { w.integer(id); });
}
void write(MsgpackWriter& w, const Welcome& m) {
  begin(w, "welcome", 1);
  w.entry("heartbeat_ms", static_cast<int64_t>(m.heartbeat_interval.count()));
}
void write(MsgpackWriter& w, const Heartbeat& m) {
  begin(w, "heartbeat", 1);
  write_gpus(w, m.gpus);
}
void write(MsgpackWriter& w, const Assign& m) {
  begin(w, "assign", 9);
  w.entry("trial_id", m.trial_id);
  w.entry("sweep_id", m.sweep_id);
  write_list(w, "argv", m.argv, [&w](const std::string& a) { w.str(a); });
  write_list(w, "env", m.env, [&w](const std::pair<std::string, std::string>& kv) {
    w.array(2);
    w.str(kv.first);
    w.str(kv.second);
  });
  write_list(w, "gpus", m.gpus, [&w](int gpu) { w.integer(gpu); });
  w.entry("params_json", m.params_json);
  w.entry("stdout_regex", m.stdout_regex);
  w.entry("stop_grace_ms", static_cast<int64_t>(m.stop_grace.count()));
  w.entry("kill_delay_ms", static_cast<int64_t>(m.kill_delay.count()));
}
void write(MsgpackWriter& w, const Stop& m) {
  begin(w, "stop", 2);
  w.entry("trial_id", m.trial_id);
  w.entry("reason", m.reason);
}
void write(MsgpackWriter& w, const Metrics& m) {
  begin(w, "metrics", 3);
  w.entry("seq", m.seq);
  w.entry("trial_id", m.trial_id);
  write_list(w, "points", m.points, [&w](const MetricPoint& p) {
    w.array(4);
    w.integer(p.step);
    w.str(p.name);
    w.float64(p.value);
    w.integer(p.time_ms);
  });
}
void write(MsgpackWriter& w, const TrialStarted& m) {
  begin(w, "trial_started", 3);
  w.entry("seq", m.seq);
  w.entry("trial_id", m.trial_id);
  w.entry("time_ms", m.time_ms);
}
void write(MsgpackWriter& w, const TrialEnded& m) {
  begin(w, "trial_ended", 7);
  w.entry("seq", m.seq);
  w.entry("trial_id", m.trial_id);
  w.entry("exit_code", m.exit_code);
  w.entry("signal", m.signal);
  w.entry("stopped", m.stopped);
  w.entry("stderr_tail", m.stderr_tail);
  w.entry("time_ms", m.time_ms);
}
void write(MsgpackWriter& w, const Ack& m) {
  begin(w, "ack", 1);
  w.entry("seq", m.seq);
}
void write(MsgpackWriter& w, const Decide& m) {
  begin(w, "decide", 3);
  w.entry("query", m.query);
  w.entry("trial_id", m.trial_id);
  w.entry("step", m.step);
}
const char* stream_name(TrialOutput::Stream stream) {
  return stream == TrialOutput::Stream::kStdout ? "stdout" : "stderr";
}
void write(MsgpackWriter& w, const TrialOutput& m) {
  begin(w, "trial_output", 4);
  w.entry("trial_id", m.trial_id);
  w.entry("stream", stream_name(m.stream));
  w.entry("offset", m.offset);
  w.entry("data", m.data);
}
void write(MsgpackWriter& w, const Decision& m) {
  begin(w, "decision", 5);
  w.entry("query", m.query);
  w.entry("trial_id", m.trial_id);
  w.entry("step", m.step);
  w.entry("stop", m.stop);
  w.entry("reason", m.reason);
}

// ---- decoding ------------------------------------------------------------------------------

// One field of a map: its name, how to read its value into the message (false: the value is
// not what `expected` says), and whether the map may leave it out.
struct Field {
  std::string_view name;
  std::function<bool(MsgpackReader&)> read;
  const char* expected;
  bool optional = false;
};

constexpr const char* kInteger = "an integer in range";
constexpr const char* kString = "a string";
constexpr const char* kBoolean = "a boolean";
constexpr const char* kList = "a list of well-formed items";

template <typename Int>
Field integer(std::string_view name, Int& out) {
  return {name, [&out](MsgpackReader& r) { return r.integer(out); }, kInteger};
}
Field text(std::string_view name, std::string& out) {
  return {name,
          [&out](MsgpackReader& r) {
            std::string_view s;
            if (!r.str(s)) return false;
            out.assign(s);
            return true;
          },
          kString};
}
Field flag(std::string_view name, bool& out) {
  return {name, [&out](MsgpackReader& r) { return r.boolean(out); }, kBoolean};
}
Field milliseconds(std::string_view name, std::chrono::milliseconds& out) {
  return {name,
          [&out](MsgpackReader& r) {
            int64_t ms = 0;
            if (!r.integer(ms)) return false;
            out = std::chrono::milliseconds(ms);
            return true;
          },
          kInteger};
}
// A field that may be absent (`out` stays nullopt); when present, an integer from `min` to `max`.
template <typename Int>
Field optional_integer(std::string_view name, std::optional<Int>& out, Int min, Int max,
                       const char* expected) {
  return {name,
          [&out, min, max](MsgpackReader& r) {
            Int value{};
            if (!r.integer(value) || value < min || value > max) return false;
            out = value;
            return true;
          },
          expected, /*optional=*/true};
}
// A list whose items `read_item` reads one by one; one bad item spoils the list.
template <typename T, typename ReadItem>
Field list(std::string_view name, std::vector<T>& out, ReadItem read_item) {
  return {name,
          [&out, read_item](MsgpackReader& r) {
            uint32_t items = 0;
            if (!r.array(items)) return false;
            out.clear();
            out.reserve(items);  // validated: the frame holds at least this many values
            for (uint32_t i = 0; i < items; ++i) {
              T item{};
              if (!read_item(r, item)) return false;
              out.push_back(std::move(item));
            }
            return true;
          },
          kList};
}

// Reads a map of `entries` entries at the cursor into `fields`: each must appear once; other
// keys (the frame's "v" and "t" among them) are skipped. Returns the first problem, or "".
std::string read_fields(MsgpackReader& r, uint32_t entries, std::initializer_list<Field> fields) {
  uint64_t seen = 0;  // a bit per field
  for (uint32_t i = 0; i < entries; ++i) {
    std::string_view key;
    if (!r.str(key)) return "field names must be strings";
    auto it =
        std::find_if(fields.begin(), fields.end(), [key](const Field& f) { return f.name == key; });
    if (it == fields.end()) {
      r.skip();
      continue;
    }
    uint64_t bit = uint64_t{1} << (it - fields.begin());
    if (seen & bit) return "field '" + std::string(key) + "' is repeated";
    seen |= bit;
    if (!it->read(r)) return "field '" + std::string(key) + "': expected " + it->expected;
  }
  for (const Field& f : fields) {
    if (!f.optional && !(seen & (uint64_t{1} << (&f - fields.begin())))) {
      return "field '" + std::string(f.name) + "' is missing";
    }
  }
  return "";
}

bool read_gpu(MsgpackReader& r, GpuState& g) {
  uint32_t entries = 0;
  return r.map(entries) &&
         read_fields(r, entries,
                     {integer("index", g.index), text("name", g.name),
                      integer("memory_total_mb", g.memory_total_mb),
                      integer("memory_used_by_others_mb", g.memory_used_by_others_mb),
                      flag("used_by_others", g.used_by_others),
                      optional_integer<int64_t>("memory_used_mb", g.memory_used_mb, 0, INT64_MAX,
                                                "an integer >= 0"),
                      optional_integer("utilization_percent", g.utilization_percent, 0, 100,
                                       "an integer from 0 to 100")})
             .empty();
}

template <typename Int>
bool read_integer_item(MsgpackReader& r, Int& out) {
  return r.integer(out);
}

bool read_string_item(MsgpackReader& r, std::string& out) {
  std::string_view s;
  if (!r.str(s)) return false;
  out.assign(s);
  return true;
}

bool read_env_item(MsgpackReader& r, std::pair<std::string, std::string>& kv) {
  uint32_t items = 0;
  return r.array(items) && items == 2 && read_string_item(r, kv.first) &&
         read_string_item(r, kv.second);
}

bool read_point(MsgpackReader& r, MetricPoint& p) {
  uint32_t items = 0;
  std::string_view name;
  if (!r.array(items) || items != 4 || !r.integer(p.step) || !r.str(name)) return false;
  p.name.assign(name);
  return r.number(p.value) && r.integer(p.time_ms);
}

// The message, or what `read_fields` found wrong with it.
template <typename M>
Result<Message> finish(std::string_view type, const std::string& problem, M message) {
  if (!problem.empty()) return invalid_argument(std::string(type) + ": " + problem);
  return Message{std::move(message)};
}

// Each reader lists the fields of its message; `n` is the frame's number of map entries.
Result<Message> read_hello(MsgpackReader& r, uint32_t n) {
  Hello m;
  std::string problem = read_fields(
      r, n,
      {text("agent_name", m.agent_name), text("host", m.host), list("gpus", m.gpus, read_gpu),
       integer("cpu_slots", m.cpu_slots), integer("slots_per_gpu", m.slots_per_gpu),
       list("running_trials", m.running_trials, read_integer_item<int64_t>)});
  return finish("hello", problem, std::move(m));
}
Result<Message> read_welcome(MsgpackReader& r, uint32_t n) {
  Welcome m;
  return finish("welcome", read_fields(r, n, {milliseconds("heartbeat_ms", m.heartbeat_interval)}),
                m);
}
Result<Message> read_heartbeat(MsgpackReader& r, uint32_t n) {
  Heartbeat m;
  std::string problem = read_fields(r, n, {list("gpus", m.gpus, read_gpu)});
  return finish("heartbeat", problem, std::move(m));
}
Result<Message> read_assign(MsgpackReader& r, uint32_t n) {
  Assign m;
  std::string problem = read_fields(
      r, n,
      {integer("trial_id", m.trial_id), integer("sweep_id", m.sweep_id),
       list("argv", m.argv, read_string_item), list("env", m.env, read_env_item),
       list("gpus", m.gpus, read_integer_item<int>), text("params_json", m.params_json),
       text("stdout_regex", m.stdout_regex), milliseconds("stop_grace_ms", m.stop_grace),
       milliseconds("kill_delay_ms", m.kill_delay)});
  return finish("assign", problem, std::move(m));
}
Result<Message> read_stop(MsgpackReader& r, uint32_t n) {
  Stop m;
  std::string problem =
      read_fields(r, n, {integer("trial_id", m.trial_id), text("reason", m.reason)});
  return finish("stop", problem, std::move(m));
}
Result<Message> read_metrics(MsgpackReader& r, uint32_t n) {
  Metrics m;
  std::string problem = read_fields(r, n,
                                    {integer("seq", m.seq), integer("trial_id", m.trial_id),
                                     list("points", m.points, read_point)});
  return finish("metrics", problem, std::move(m));
}
Result<Message> read_trial_started(MsgpackReader& r, uint32_t n) {
  TrialStarted m;
  std::string problem = read_fields(
      r, n,
      {integer("seq", m.seq), integer("trial_id", m.trial_id), integer("time_ms", m.time_ms)});
  return finish("trial_started", problem, m);
}
Result<Message> read_trial_ended(MsgpackReader& r, uint32_t n) {
  TrialEnded m;
  std::string problem = read_fields(
      r, n,
      {integer("seq", m.seq), integer("trial_id", m.trial_id), integer("exit_code", m.exit_code),
       integer("signal", m.signal), flag("stopped", m.stopped), text("stderr_tail", m.stderr_tail),
       integer("time_ms", m.time_ms)});
  return finish("trial_ended", problem, std::move(m));
}
Result<Message> read_ack(MsgpackReader& r, uint32_t n) {
  Ack m;
  return finish("ack", read_fields(r, n, {integer("seq", m.seq)}), m);
}
Result<Message> read_decide(MsgpackReader& r, uint32_t n) {
  Decide m;
  std::string problem = read_fields(
      r, n, {integer("query", m.query), integer("trial_id", m.trial_id), integer("step", m.step)});
  return finish("decide", problem, m);
}
Result<Message> read_decision(MsgpackReader& r, uint32_t n) {
  Decision m;
  std::string problem =
      read_fields(r, n,
                  {integer("query", m.query), integer("trial_id", m.trial_id),
                   integer("step", m.step), flag("stop", m.stop), text("reason", m.reason)});
  return finish("decision", problem, std::move(m));
}

Field output_stream(TrialOutput::Stream& out) {
  return {"stream",
          [&out](MsgpackReader& r) {
            std::string_view s;
            if (!r.str(s) || (s != "stdout" && s != "stderr")) return false;
            out = s == "stdout" ? TrialOutput::Stream::kStdout : TrialOutput::Stream::kStderr;
            return true;
          },
          "\"stdout\" or \"stderr\""};
}
Result<Message> read_trial_output(MsgpackReader& r, uint32_t n) {
  TrialOutput m;
  std::string problem = read_fields(r, n,
                                    {integer("trial_id", m.trial_id), output_stream(m.stream),
                                     integer("offset", m.offset), text("data", m.data)});
  if (problem.empty() && m.offset < 0) problem = "field 'offset': expected a count of bytes";
  return finish("trial_output", problem, std::move(m));
}

using BodyReader = Result<Message> (*)(MsgpackReader&, uint32_t);

// Indexed like Message's alternatives, and named by type_name().
constexpr BodyReader kReaders[] = {read_hello, read_welcome, read_heartbeat,     read_assign,
                                   read_stop,  read_metrics, read_trial_started, read_trial_ended,
                                   read_ack,   read_decide,  read_decision,      read_trial_output};
static_assert(std::size(kReaders) == std::variant_size_v<Message>, "a reader for every message");

constexpr const char* kNames[] = {"hello", "welcome", "heartbeat",     "assign",
                                  "stop",  "metrics", "trial_started", "trial_ended",
                                  "ack",   "decide",  "decision",      "trial_output"};
static_assert(std::size(kNames) == std::variant_size_v<Message>, "a name for every message");

// The frame's version and type, wherever they stand in its map of `n` entries.
Status read_header(MsgpackReader& r, uint32_t n, int& version, std::string_view& type) {
  Field v = integer("v", version);
  Field t = {"t", [&type](MsgpackReader& reader) { return reader.str(type); }, kString};
  std::string problem = read_fields(r, n, {v, t});
  if (!problem.empty()) return invalid_argument(problem);
  return Status::ok();
}

}  // namespace

const char* type_name(const Message& message) { return kNames[message.index()]; }

std::string encode(const Message& message) {
  MsgpackWriter writer;
  std::visit([&writer](const auto& m) { write(writer, m); }, message);
  return writer.take();
}

Result<Message> decode(std::string_view frame) {
  if (frame.size() > kMaxFrameBytes) return invalid_argument("frame larger than 16 MiB");
  if (Status valid = validate_msgpack(frame, kMaxDepth); !valid.is_ok()) return valid;
  MsgpackReader reader(frame);
  uint32_t entries = 0;
  if (!reader.map(entries)) return invalid_argument("a frame must be a MessagePack map");
  const size_t body = reader.offset();
  int version = 0;
  std::string_view type;
  if (Status header = read_header(reader, entries, version, type); !header.is_ok()) return header;
  if (version != kProtocolVersion) {
    return invalid_argument("protocol version " + std::to_string(version) + " is not " +
                            std::to_string(kProtocolVersion));
  }
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (type == kNames[i]) {
      reader.seek(body);  // the body's fields may come before the header's
      return kReaders[i](reader, entries);
    }
  }
  return invalid_argument("unknown message type '" + std::string(type) + "'");
}

}  // namespace labsweep::protocol
