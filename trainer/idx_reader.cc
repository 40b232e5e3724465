#include "trainer/idx_reader.h"

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

namespace labsweep::trainer {
namespace {

constexpr uint8_t kUnsignedByte = 0x08;
constexpr size_t kChunk = size_t{1} << 20;
constexpr int64_t kMaxFeatures = int64_t{1} << 24;

// The file's bytes as stored; a compressed file cannot sensibly be larger than its contents.
Result<std::vector<uint8_t>> read_whole(const std::string& path, int64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error(path + ": cannot open");
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return io_error(path + ": cannot read");
  if (size > max_bytes) {
    return invalid_argument(path + ": " + std::to_string(size) + " bytes, more than the limit of " +
                            std::to_string(max_bytes));
  }
  in.seekg(0, std::ios::beg);
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    return io_error(path + ": cannot read");
  return bytes;
}

bool is_gzip(const std::vector<uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

struct InflateStream {
  z_stream z{};
  bool open = false;
  ~InflateStream() {
    if (open) inflateEnd(&z);
  }
};

Result<std::vector<uint8_t>> gunzip(const std::string& path, const std::vector<uint8_t>& in,
                                    int64_t max_bytes) {
  InflateStream s;
  if (inflateInit2(&s.z, 16 + MAX_WBITS) != Z_OK) return io_error(path + ": cannot start zlib");
  s.open = true;
  s.z.next_in = const_cast<Bytef*>(in.data());
  s.z.avail_in = static_cast<uInt>(in.size());
  std::vector<uint8_t> out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (static_cast<int64_t>(out.size()) >= max_bytes) {
      return invalid_argument(path + ": decompresses to more than the limit of " +
                              std::to_string(max_bytes) + " bytes");
    }
    size_t before = out.size();
    out.resize(before + kChunk);
    s.z.next_out = out.data() + before;
    s.z.avail_out = static_cast<uInt>(kChunk);
    rc = inflate(&s.z, Z_NO_FLUSH);
    out.resize(before + kChunk - s.z.avail_out);
    if (rc == Z_BUF_ERROR || (rc == Z_OK && s.z.avail_in == 0 && s.z.avail_out != 0)) {
      return invalid_argument(path + ": truncated gzip data");
    }
    if (rc != Z_OK && rc != Z_STREAM_END) {
      return invalid_argument(path + ": corrupt gzip data (" +
                              std::string(s.z.msg ? s.z.msg : zError(rc)) + ")");
    }
  }
  if (s.z.avail_in != 0) return invalid_argument(path + ": data after the end of the gzip stream");
  return out;
}

uint32_t big_endian(const std::vector<uint8_t>& b, size_t at) {
  return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) |
         uint32_t{b[at + 3]};
}

std::string hex(uint8_t v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", v);
  return text;
}

}  // namespace

Result<IdxArray> parse_idx(const std::string& name, std::vector<uint8_t> bytes,
                           const IdxLimits& limits) {
  if (bytes.size() < 4) return invalid_argument(name + ": too short for an IDX header");
  if (bytes[0] != 0 || bytes[1] != 0) {
    return invalid_argument(name +
                            ": not an IDX file (the magic number must start with two zero bytes)");
  }
  if (bytes[2] != kUnsignedByte) {
    return invalid_argument(name + ": IDX type " + hex(bytes[2]) +
                            " is not supported (only 0x08, unsigned bytes)");
  }
  int ndims = bytes[3];
  if (ndims < 1 || ndims > limits.max_dims) {
    return invalid_argument(name + ": " + std::to_string(ndims) + " dimensions; expected 1 to " +
                            std::to_string(limits.max_dims));
  }
  size_t header = 4 + 4 * static_cast<size_t>(ndims);
  if (bytes.size() < header) return invalid_argument(name + ": truncated IDX header");
  IdxArray array;
  int64_t total = 1;
  for (int d = 0; d < ndims; ++d) {
    uint32_t dim = big_endian(bytes, 4 + 4 * static_cast<size_t>(d));
    array.dims.push_back(dim);
    total *= dim;
    if (total > limits.max_bytes) {
      return invalid_argument(name + ": the dimensions ask for more than " +
                              std::to_string(limits.max_bytes) + " bytes");
    }
  }
  int64_t have = static_cast<int64_t>(bytes.size() - header);
  if (have < total) {
    return invalid_argument(name + ": truncated: the dimensions ask for " + std::to_string(total) +
                            " bytes of data, the file holds " + std::to_string(have));
  }
  if (have > total) {
    return invalid_argument(name + ": " + std::to_string(have - total) +
                            " bytes after the data the dimensions describe");
  }
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  array.data = std::move(bytes);
  return array;
}

Result<IdxArray> read_idx(const std::string& path, const IdxLimits& limits) {
  Result<std::vector<uint8_t>> raw = read_whole(path, limits.max_bytes);
  if (!raw) return raw.status();
  if (!is_gzip(*raw)) return parse_idx(path, std::move(*raw), limits);
  Result<std::vector<uint8_t>> plain = gunzip(path, *raw, limits.max_bytes);
  if (!plain) return plain.status();
  return parse_idx(path, std::move(*plain), limits);
}

Result<Dataset> read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                                 int classes, const IdxLimits& limits) {
  Result<IdxArray> images = read_idx(images_path, limits);
  if (!images) return images.status();
  Result<IdxArray> labels = read_idx(labels_path, limits);
  if (!labels) return labels.status();
  if (images->dims.size() < 2) {
    return invalid_argument(images_path + ": images need at least 2 dimensions (items x features)");
  }
  if (labels->dims.size() != 1) {
    return invalid_argument(labels_path + ": labels need exactly 1 dimension, not " +
                            std::to_string(labels->dims.size()));
  }
  if (images->dims[0] != labels->dims[0]) {
    return invalid_argument(images_path + " holds " + std::to_string(images->dims[0]) +
                            " images but " + labels_path + " holds " +
                            std::to_string(labels->dims[0]) + " labels");
  }
  int64_t features = 1;
  for (size_t d = 1; d < images->dims.size(); ++d) {
    features *= images->dims[d];
    if (features > kMaxFeatures) {
      return invalid_argument(images_path + ": more than " + std::to_string(kMaxFeatures) +
                              " features per image");
    }
  }
  if (features == 0) return invalid_argument(images_path + ": images of zero features");
  Dataset set;
  set.rows = static_cast<int>(images->dims[0]);
  set.features = static_cast<int>(features);
  set.classes = classes;
  set.y.resize(labels->data.size());
  for (size_t i = 0; i < labels->data.size(); ++i) {
    if (labels->data[i] >= classes) {
      return invalid_argument(labels_path + ": label " + std::to_string(labels->data[i]) +
                              " of item " + std::to_string(i) + " is not below " +
                              std::to_string(classes));
    }
    set.y[i] = labels->data[i];
  }
  set.x.resize(images->data.size());
  for (size_t i = 0; i < images->data.size(); ++i) set.x[i] = images->data[i] * (1.0f / 255.0f);
  return set;
}

Result<Dataset> read_mnist_set(const std::string& dir, const std::string& prefix,
                               const IdxLimits& limits) {
  auto find = [&](const std::string& name) -> Result<std::string> {
    std::string plain = dir + "/" + prefix + "-" + name;
    for (const std::string& path : {plain, plain + ".gz"}) {
      std::error_code error;
      if (std::filesystem::is_regular_file(path, error)) return path;
    }
    return not_found(plain + "(.gz): no such file (--data names a directory of IDX files)");
  };
  Result<std::string> images = find("images-idx3-ubyte");
  if (!images) return images.status();
  Result<std::string> labels = find("labels-idx1-ubyte");
  if (!labels) return labels.status();
  return read_idx_dataset(*images, *labels, 10, limits);
}

}  // namespace labsweep::trainer
