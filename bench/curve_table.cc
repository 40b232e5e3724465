#include "bench/curve_table.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>

namespace labsweep::bench {
namespace {

constexpr std::string_view kMetricColumns[] = {"val_accuracy", "val_loss", "epoch_time_s",
                                               "test_accuracy"};

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == sep) {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::optional<double> number(std::string_view text) {
  double out = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(out))
    return std::nullopt;
  return out;
}

// Where each column is: the axes, then the fixed columns by name.
struct Layout {
  std::vector<std::string> names;
  std::vector<std::string> axes;
  size_t epoch = 0;
  size_t metric[4] = {};  // in kMetricColumns' order
  size_t width = 0;
};

Result<Layout> read_header(std::string_view header) {
  std::vector<std::string_view> names = split(header, ',');
  auto epoch = std::find(names.begin(), names.end(), "epoch");
  if (epoch == names.end() || epoch == names.begin())
    return invalid_argument("line 1: the header needs axis columns, then an 'epoch' column");
  Layout layout{.names = {names.begin(), names.end()},
                .axes = {names.begin(), epoch},
                .epoch = static_cast<size_t>(epoch - names.begin()),
                .width = names.size()};
  for (size_t m = 0; m < std::size(kMetricColumns); ++m) {
    auto at = std::find(epoch + 1, names.end(), kMetricColumns[m]);
    if (at == names.end())
      return invalid_argument("line 1: no '" + std::string(kMetricColumns[m]) + "' column");
    layout.metric[m] = static_cast<size_t>(at - names.begin());
  }
  return layout;
}

// A configuration while its rows are read, in any order.
struct Pending {
  std::vector<std::optional<EpochRecord>> epochs;
  std::optional<double> test_accuracy;
  int test_epoch = 0;
};

Status read_row(const Layout& layout, std::string_view line, size_t line_no,
                std::map<std::vector<double>, Pending>& configs) {
  std::string where = "line " + std::to_string(line_no) + ": ";
  std::vector<std::string_view> cells = split(line, ',');
  if (cells.size() != layout.width)
    return invalid_argument(where + std::to_string(cells.size()) + " columns, the header has " +
                            std::to_string(layout.width));
  auto cell = [&](size_t column) -> Result<double> {
    if (auto value = number(cells[column])) return *value;
    return invalid_argument(where + layout.names[column] + " is not a finite number: '" +
                            std::string(cells[column]) + "'");
  };
  std::vector<double> key;
  for (size_t a = 0; a < layout.axes.size(); ++a) {
    Result<double> value = cell(a);
    if (!value) return value.status();
    key.push_back(*value);
  }
  Result<double> epoch = cell(layout.epoch);
  if (!epoch) return epoch.status();
  if (*epoch < 1 || *epoch > 100000 || *epoch != std::floor(*epoch))
    return invalid_argument(where + "epoch must be an integer from 1, not " +
                            std::string(cells[layout.epoch]));
  double metric[3] = {};
  for (size_t m = 0; m < 3; ++m) {
    Result<double> value = cell(layout.metric[m]);
    if (!value) return value.status();
    metric[m] = *value;
  }
  Pending& config = configs[key];
  auto e = static_cast<size_t>(*epoch);
  if (config.epochs.size() < e) config.epochs.resize(e);
  if (config.epochs[e - 1]) return invalid_argument(where + "a second row for this epoch");
  config.epochs[e - 1] = EpochRecord{metric[0], metric[1], metric[2]};
  if (std::string_view test = cells[layout.metric[3]]; !test.empty()) {
    Result<double> value = cell(layout.metric[3]);
    if (!value) return value.status();
    if (static_cast<int>(e) >= config.test_epoch) {
      config.test_accuracy = *value;
      config.test_epoch = static_cast<int>(e);
    }
  }
  return Status::ok();
}

std::string describe(const std::vector<double>& key) {
  std::ostringstream out;
  for (size_t i = 0; i < key.size(); ++i) out << (i ? "," : "") << key[i];
  return out.str();
}

// Every configuration complete, with the same number of epochs.
Status check_complete(const std::map<std::vector<double>, Pending>& configs, int& epochs) {
  if (configs.empty()) return invalid_argument("the table has no rows");
  epochs = static_cast<int>(configs.begin()->second.epochs.size());
  for (const auto& [key, config] : configs) {
    std::string which = "configuration " + describe(key) + ": ";
    if (static_cast<int>(config.epochs.size()) != epochs)
      return invalid_argument(which + std::to_string(config.epochs.size()) +
                              " epochs, others have " + std::to_string(epochs));
    for (size_t e = 0; e < config.epochs.size(); ++e) {
      if (!config.epochs[e])
        return invalid_argument(which + "no row for epoch " + std::to_string(e + 1));
    }
    if (!config.test_accuracy || config.test_epoch != epochs)
      return invalid_argument(which + "no test_accuracy on the row of its last epoch");
  }
  return Status::ok();
}

}  // namespace

Result<CurveTable> CurveTable::parse(std::string_view csv) {
  std::vector<std::string_view> lines = split(csv, '\n');
  for (std::string_view& line : lines) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  }
  if (lines.empty() || lines[0].empty()) return invalid_argument("line 1: no header");
  Result<Layout> layout = read_header(lines[0]);
  if (!layout) return layout.status();
  std::map<std::vector<double>, Pending> pending;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    if (Status s = read_row(*layout, lines[i], i + 1, pending); !s.is_ok()) return s;
  }
  CurveTable table;
  if (Status s = check_complete(pending, table.epochs_); !s.is_ok()) return s;
  table.axes_ = layout->axes;
  for (auto& [key, config] : pending) {
    RecordedConfig recorded{.values = key, .test_accuracy = *config.test_accuracy};
    for (const std::optional<EpochRecord>& epoch : config.epochs) recorded.epochs.push_back(*epoch);
    table.index_.emplace(key, table.configs_.size());
    table.configs_.push_back(std::move(recorded));
  }
  return table;
}

Result<CurveTable> CurveTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("couldn't open the curve table " + path);
  std::ostringstream text;
  text << in.rdbuf();
  Result<CurveTable> table = parse(text.str());
  if (!table) return invalid_argument(path + ": " + table.status().message());
  return table;
}

Result<size_t> CurveTable::find(const std::vector<double>& values) const {
  auto it = index_.find(values);
  if (it == index_.end())
    return not_found("no recorded configuration " + describe(values) + " in the table");
  return it->second;
}

}  // namespace labsweep::bench
