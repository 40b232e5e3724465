#include "tests/trainer/idx_files.h"

#include <zlib.h>

#include <fstream>
#include <stdexcept>

#include "trainer/counter_rng.h"

namespace labsweep::trainer::testing {
namespace {

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Label c lights up the pixels of row c % side brightly, with noise everywhere.
std::vector<uint8_t> images_of(const std::vector<uint8_t>& labels, int side, uint64_t seed) {
  std::vector<uint8_t> pixels;
  for (size_t i = 0; i < labels.size(); ++i) {
    for (int p = 0; p < side * side; ++p) {
      float noise = counter_uniform(seed, 7, i * static_cast<size_t>(side * side) + p);
      bool lit = p / side == labels[i] % side;
      pixels.push_back(static_cast<uint8_t>(noise * 100 + (lit ? 150 : 0)));
    }
  }
  return pixels;
}

void write_set(const std::string& dir, const std::string& prefix, int rows, int side, bool gzip,
               uint64_t seed) {
  std::vector<uint8_t> labels;
  for (int i = 0; i < rows; ++i)
    labels.push_back(static_cast<uint8_t>(counter_bits(seed, 8, i) % 10));
  std::string images = idx_bytes(
      {static_cast<uint32_t>(rows), static_cast<uint32_t>(side), static_cast<uint32_t>(side)},
      images_of(labels, side, seed));
  std::string label_file = idx_bytes({static_cast<uint32_t>(rows)}, labels);
  std::string suffix = gzip ? ".gz" : "";
  write_file(dir + "/" + prefix + "-images-idx3-ubyte" + suffix, gzip ? gzipped(images) : images);
  write_file(dir + "/" + prefix + "-labels-idx1-ubyte" + suffix,
             gzip ? gzipped(label_file) : label_file);
}

}  // namespace

std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
                      uint8_t type) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(d >> shift));
  }
  out.append(data.begin(), data.end());
  return out;
}

std::string gzipped(const std::string& plain) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&z, plain.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  z.avail_in = static_cast<uInt>(plain.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
  return out;
}

void write_mnist_dir(const std::string& dir, int train_rows, int test_rows, int side, bool gzip) {
  write_set(dir, "train", train_rows, side, gzip, 1);
  write_set(dir, "t10k", test_rows, side, gzip, 2);
}

}  // namespace labsweep::trainer::testing
