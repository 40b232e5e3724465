#include "agent/gpu_inventory_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace labsweep::agent {
namespace {

using nlohmann::json;

// Reads one file's fields, failing with "FILE: FIELD: what" on the first problem.
class FieldReader {
 public:
  explicit FieldReader(const std::string& origin) : origin_(origin) {}

  Status error(const std::string& field, const std::string& what) const {
    return invalid_argument(origin_ + ": " + (field.empty() ? "" : field + ": ") + what);
  }

  // `object` may hold only `allowed` members.
  Status only(const json& object, const std::string& field,
              std::initializer_list<const char*> allowed) const {
    for (const auto& [key, value] : object.items()) {
      bool known = false;
      for (const char* a : allowed) known = known || key == a;
      if (!known) return error(field.empty() ? key : field + "." + key, "unknown member");
    }
    return Status::ok();
  }

  // An integer member in [min, max]; `fallback` when absent (nullopt: required).
  Result<int64_t> integer(const json& object, const std::string& field, const char* key,
                          int64_t min, int64_t max, std::optional<int64_t> fallback) const {
    std::string name = field + "." + key;
    auto it = object.find(key);
    if (it == object.end()) {
      if (fallback) return *fallback;
      return error(name, "missing");
    }
    bool fits =
        it->is_number_unsigned()
            ? it->get<uint64_t>() <= uint64_t(max) && int64_t(it->get<uint64_t>()) >= min
            : it->is_number_integer() && it->get<int64_t>() >= min && it->get<int64_t>() <= max;
    if (!fits) {
      return error(
          name, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return it->get<int64_t>();
  }

  Result<std::string> string(const json& object, const std::string& field, const char* key,
                             std::optional<std::string> fallback) const {
    auto it = object.find(key);
    if (it == object.end()) {
      if (fallback) return *fallback;
      return error(field + "." + key, "missing");
    }
    if (!it->is_string()) return error(field + "." + key, "expected a string");
    return it->get<std::string>();
  }

 private:
  const std::string& origin_;
};

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

Result<GpuProcess> read_process(const FieldReader& r, const json& p, const std::string& field) {
  if (!p.is_object()) return r.error(field, "expected an object");
  if (Status s = r.only(p, field, {"pid", "used_mb"}); !s.is_ok()) return s;
  Result<int64_t> pid = r.integer(p, field, "pid", 1, std::numeric_limits<int>::max(), {});
  if (!pid) return pid.status();
  GpuProcess out{int(*pid), std::nullopt};
  if (p.contains("used_mb")) {
    Result<int64_t> used = r.integer(p, field, "used_mb", 0, kMaxInt, {});
    if (!used) return used.status();
    out.used_mb = *used;
  }
  return out;
}

Status read_processes(const FieldReader& r, const json& gpu, const std::string& field,
                      GpuSample& out) {
  auto it = gpu.find("processes");
  if (it == gpu.end()) return Status::ok();
  if (!it->is_array()) return r.error(field + ".processes", "expected a list");
  for (std::size_t i = 0; i < it->size(); ++i) {
    Result<GpuProcess> p =
        read_process(r, (*it)[i], field + ".processes[" + std::to_string(i) + "]");
    if (!p) return p.status();
    out.processes.push_back(*p);
  }
  return Status::ok();
}

Result<GpuSample> read_gpu(const FieldReader& r, const json& gpu, int index) {
  std::string field = "gpus[" + std::to_string(index) + "]";
  if (!gpu.is_object()) return r.error(field, "expected an object");
  Status known = r.only(
      gpu, field,
      {"name", "uuid", "memory_total_mb", "memory_used_mb", "utilization_percent", "processes"});
  if (!known.is_ok()) return known;
  GpuSample out;
  out.index = index;
  Result<std::string> name = r.string(gpu, field, "name", {});
  if (!name) return name.status();
  out.name = *name;
  Result<std::string> uuid = r.string(gpu, field, "uuid", "GPU-fake-" + std::to_string(index));
  if (!uuid) return uuid.status();
  out.uuid = *uuid;
  Result<int64_t> total = r.integer(gpu, field, "memory_total_mb", 0, kMaxInt, {});
  if (!total) return total.status();
  out.memory_total_mb = *total;
  Result<int64_t> used = r.integer(gpu, field, "memory_used_mb", 0, *total, 0);
  if (!used) return used.status();
  out.memory_used_mb = *used;
  if (gpu.contains("utilization_percent")) {
    Result<int64_t> util = r.integer(gpu, field, "utilization_percent", 0, 100, {});
    if (!util) return util.status();
    out.utilization_percent = int(*util);
  }
  if (Status s = read_processes(r, gpu, field, out); !s.is_ok()) return s;
  return out;
}

}  // namespace

Result<std::vector<GpuSample>> parse_fake_gpus(std::string_view text, const std::string& origin) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return invalid_argument(origin + ": not valid JSON");
  FieldReader r(origin);
  if (!doc.is_object()) return r.error("", "expected an object with \"gpus\"");
  if (Status s = r.only(doc, "", {"gpus"}); !s.is_ok()) return s;
  auto gpus = doc.find("gpus");
  if (gpus == doc.end()) return r.error("gpus", "missing");
  if (!gpus->is_array()) return r.error("gpus", "expected a list");
  std::vector<GpuSample> out;
  for (std::size_t i = 0; i < gpus->size(); ++i) {
    Result<GpuSample> gpu = read_gpu(r, (*gpus)[i], int(i));
    if (!gpu) return gpu.status();
    out.push_back(std::move(*gpu));
  }
  return out;
}

Result<std::vector<GpuSample>> FileGpuInventory::sample() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return io_error(path_.string() + ": cannot read the fake-GPU file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(path_.string() + ": cannot read the fake-GPU file");
  return parse_fake_gpus(text.str(), path_.string());
}

std::string FileGpuInventory::description() const { return "fake GPUs from " + path_.string(); }

}  // namespace labsweep::agent
