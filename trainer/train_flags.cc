#include "trainer/train_flags.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>

#include "base/status.h"

namespace labsweep::trainer {
namespace {

// Every flag as written; empty when not given. Values are converted and checked afterwards, so
// that each error names the flag, the value and the range in one wording.
struct FlagText {
  std::map<std::string, std::string> values;
  std::map<std::string, CLI::Option*> options;

  // Forgets the flags that were not on the command line, so that `--lr=` is an error, not
  // the default.
  void drop_absent() {
    for (const auto& [name, option] : options) {
      if (option->count() == 0) values.erase(name);
    }
  }
};

const char* const kFlags[][2] = {
    {"epochs", "passes over the training set (1 to 10000; default 20)"},
    {"batch-size", "rows per batch (1 to 65536; default 128)"},
    {"lr", "base learning rate (0 < lr <= 10; default 0.001)"},
    {"optimizer", "sgd, adam or adamw (default adamw)"},
    {"momentum", "SGD momentum (0 <= m < 1; default 0.9)"},
    {"nesterov", "SGD with Nesterov momentum (True/False; default False)"},
    {"weight-decay", "weight decay (0 to 1; decoupled for adamw; default 0.0001)"},
    {"schedule", "constant, step or cosine (default cosine)"},
    {"warmup", "linear warm-up, in epochs (fractions allowed; 0 to 1000; default 0)"},
    {"step-size", "step schedule: epochs between decays (1 to 10000; default 10)"},
    {"gamma", "step schedule: decay factor (0 < gamma <= 1; default 0.1)"},
    {"hidden", "hidden layer widths, e.g. 256,128 or [256, 128] (instead of depth/width)"},
    {"depth", "number of hidden layers (0 to 16; default 2)"},
    {"width", "units per hidden layer (1 to 65536; default 256)"},
    {"activation", "relu, gelu or tanh (default relu)"},
    {"dropout", "dropout after each hidden layer (0 <= p < 1; default 0.1)"},
    {"seed", "seed of the initial weights, shuffles and dropout (default 0)"},
    {"validation-fraction", "part of the training set held out (0 < f < 1; default 0.1)"},
    {"data", "directory of the IDX files (default /usr/share/datasets/fashion-mnist)"},
    {"device", "auto, cpu or cuda (default auto: the GPU when there is one)"},
    {"threads", "CPU threads (0: all hardware threads; 0 to 1024; default 0)"},
    {"tf32", "CUDA: allow TF32 tensor-core math (True/False; default False)"},
    {"limit-train", "train on at most N rows (0: all; default 0)"},
};

std::string underscored(std::string name) {
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

void add_flags(CLI::App& app, FlagText& text) {
  for (const auto& [name, help] : kFlags) {
    std::string names = "--" + std::string(name);
    if (underscored(name) != name) names += ",--" + underscored(name);
    std::string& slot = text.values[name];
    bool boolean = std::string_view(name) == "nesterov" || std::string_view(name) == "tf32";
    CLI::Option* option =
        boolean ? app.add_flag(names, slot, help) : app.add_option(names, slot, help);
    // The last of a repeated flag wins, so that a wrapper may append to a command line.
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    text.options[name] = option;
  }
}

Status bad(std::string_view flag, std::string_view value, std::string_view expected) {
  return invalid_argument("--" + std::string(flag) + "=" + std::string(value) + ": expected " +
                          std::string(expected));
}

// A whole number; "256.0" too, as Python renders an integral float.
Result<int64_t> to_int(std::string_view flag, const std::string& v, int64_t lo, int64_t hi) {
  std::string expected = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d) ||
      d != std::floor(d) || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
    return bad(flag, v, expected);
  }
  int64_t i = 0;
  auto [iend, iec] = std::from_chars(v.data(), v.data() + v.size(), i);
  if (iec == std::errc() && iend == v.data() + v.size()) return i;
  return static_cast<int64_t>(d);
}

struct Range {
  double lo;
  double hi;
  bool lo_open;
  bool hi_open;
  std::string text() const {
    std::ostringstream out;
    out << "a number with " << lo << (lo_open ? " < " : " <= ") << "value"
        << (hi_open ? " < " : " <= ") << hi;
    return out.str();
  }
};

Result<double> to_double(std::string_view flag, const std::string& v, const Range& r) {
  double d = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
  bool ok = !v.empty() && ec == std::errc() && end == v.data() + v.size() && std::isfinite(d) &&
            (r.lo_open ? d > r.lo : d >= r.lo) && (r.hi_open ? d < r.hi : d <= r.hi);
  if (!ok) return bad(flag, v, r.text());
  return d;
}

Result<bool> to_bool(std::string_view flag, const std::string& v) {
  if (v == "True" || v == "true" || v == "1") return true;
  if (v == "False" || v == "false" || v == "0") return false;
  return bad(flag, v, "True or False");
}

template <typename E>
Result<E> to_choice(std::string_view flag, const std::string& v,
                    std::initializer_list<std::pair<const char*, E>> choices) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (v == name) return value;
    names += names.empty() ? name : std::string(", ") + name;
  }
  return bad(flag, v, "one of " + names);
}

// "256,128", "[256, 128]" or "256"; "[]" for no hidden layer.
Result<std::vector<int>> to_widths(const std::string& v) {
  std::string inner = v;
  if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') {
    inner = inner.substr(1, inner.size() - 2);
  }
  std::vector<int> widths;
  std::string item;
  std::istringstream in(inner);
  while (std::getline(in, item, ',')) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    Result<int64_t> w = to_int("hidden", item, 1, 65536);
    if (!w) return bad("hidden", v, "a list of up to 16 widths from 1 to 65536, e.g. 256,128");
    widths.push_back(static_cast<int>(*w));
  }
  if (widths.size() > 16 || (widths.empty() && inner.find_first_not_of(' ') != std::string::npos)) {
    return bad("hidden", v, "a list of up to 16 widths from 1 to 65536, e.g. 256,128");
  }
  return widths;
}

}  // namespace

namespace {

// Converts the given flags one after another into their fields; the first error is kept.
class FlagReader {
 public:
  explicit FlagReader(const FlagText& text) : text_(text) {}

  bool given(const char* flag) const { return text_.values.count(flag) > 0; }
  const Status& status() const { return status_; }

  template <typename T>
  void integer(const char* flag, T& out, int64_t lo, int64_t hi) {
    if (const std::string* v = next(flag)) keep(to_int(flag, *v, lo, hi), out);
  }
  template <typename T>
  void number(const char* flag, T& out, Range range) {
    if (const std::string* v = next(flag)) keep(to_double(flag, *v, range), out);
  }
  void boolean(const char* flag, bool& out) {
    if (const std::string* v = next(flag)) keep(to_bool(flag, *v), out);
  }
  void text(const char* flag, std::string& out) {
    if (const std::string* v = next(flag)) out = *v;
  }
  template <typename E>
  void choice(const char* flag, E& out, std::initializer_list<std::pair<const char*, E>> names) {
    if (const std::string* v = next(flag)) keep(to_choice(flag, *v, names), out);
  }
  void widths(std::vector<int>& out) {
    if (const std::string* v = next("hidden")) keep(to_widths(*v), out);
  }
  void fail(Status status) {
    if (status_.is_ok()) status_ = std::move(status);
  }

 private:
  const std::string* next(const char* flag) const {
    if (!status_.is_ok()) return nullptr;
    auto it = text_.values.find(flag);
    return it == text_.values.end() ? nullptr : &it->second;
  }
  template <typename V, typename T>
  void keep(Result<V> value, T& out) {
    if (value) {
      out = static_cast<T>(*value);
    } else {
      fail(value.status());
    }
  }

  const FlagText& text_;
  Status status_;
};

constexpr Range kUnitOpen{0, 1, false, true};  // 0 <= value < 1

void read_model(FlagReader& r, ModelConfig& model) {
  r.choice("activation", model.activation,
           {{"relu", Activation::kRelu}, {"gelu", Activation::kGelu}, {"tanh", Activation::kTanh}});
  r.number("dropout", model.dropout, kUnitOpen);
  if (r.given("hidden")) {
    if (r.given("depth") || r.given("width")) {
      r.fail(invalid_argument("--hidden: give either --hidden or --depth and --width, not both"));
    }
    r.widths(model.hidden);
    return;
  }
  int depth = 2;
  int width = 256;
  r.integer("depth", depth, 0, 16);
  r.integer("width", width, 1, 65536);
  model.hidden.assign(static_cast<size_t>(depth), width);
}

void read_optimizer(FlagReader& r, OptimizerConfig& optimizer) {
  r.choice("optimizer", optimizer.kind,
           {{"sgd", OptimizerKind::kSgd},
            {"adam", OptimizerKind::kAdam},
            {"adamw", OptimizerKind::kAdamW}});
  r.number("momentum", optimizer.momentum, kUnitOpen);
  r.boolean("nesterov", optimizer.nesterov);
  r.number("weight-decay", optimizer.weight_decay, Range{0, 1, false, false});
}

void read_schedule(FlagReader& r, ScheduleConfig& schedule) {
  r.number("lr", schedule.lr, Range{0, 10, true, false});
  r.choice("schedule", schedule.kind,
           {{"constant", ScheduleKind::kConstant},
            {"step", ScheduleKind::kStep},
            {"cosine", ScheduleKind::kCosine}});
  r.number("warmup", schedule.warmup_epochs, Range{0, 1000, false, false});
  r.integer("step-size", schedule.step_size, 1, 10000);
  r.number("gamma", schedule.gamma, Range{0, 1, true, false});
}

void read_run(FlagReader& r, TrainFlags& flags) {
  r.integer("epochs", flags.epochs, 1, 10000);
  r.integer("batch-size", flags.batch_size, 1, 65536);
  r.integer("seed", flags.seed, 0, std::numeric_limits<int64_t>::max());
  r.number("validation-fraction", flags.validation_fraction, Range{0, 1, true, true});
  r.text("data", flags.data_dir);
  r.choice(
      "device", flags.device,
      {{"auto", DeviceChoice::kAuto}, {"cpu", DeviceChoice::kCpu}, {"cuda", DeviceChoice::kCuda}});
  r.integer("threads", flags.threads, 0, 1024);
  r.boolean("tf32", flags.tf32);
  r.integer("limit-train", flags.limit_train, 0, std::numeric_limits<int32_t>::max());
}

}  // namespace

TrainFlags default_train_flags() {
  TrainFlags flags;
  flags.model.dropout = 0.1f;
  flags.optimizer.weight_decay = 1e-4f;
  flags.schedule.kind = ScheduleKind::kCosine;
  return flags;
}

FlagsParse parse_train_flags(const std::vector<std::string>& args) {
  CLI::App app{"labsweep-train: trains an MLP classifier on IDX data (docs/trainer.md)",
               "labsweep-train"};
  FlagText text;
  add_flags(app, text);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them reversed
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return FlagsParse{std::nullopt, 0, app.help()};
  } catch (const CLI::ParseError& e) {
    return FlagsParse{std::nullopt, 2, std::string("labsweep-train: ") + e.what()};
  }
  text.drop_absent();
  TrainFlags flags = default_train_flags();
  FlagReader reader(text);
  read_model(reader, flags.model);
  read_optimizer(reader, flags.optimizer);
  read_schedule(reader, flags.schedule);
  read_run(reader, flags);
  if (!reader.status().is_ok()) {
    return FlagsParse{std::nullopt, 2, "labsweep-train: " + reader.status().message()};
  }
  return FlagsParse{std::move(flags), 0, ""};
}

std::string_view to_string(DeviceChoice device) {
  switch (device) {
    case DeviceChoice::kAuto:
      return "auto";
    case DeviceChoice::kCpu:
      return "cpu";
    case DeviceChoice::kCuda:
      return "cuda";
  }
  return "?";
}

}  // namespace labsweep::trainer
