#pragma once

// IDX files for the trainer's tests: bytes built by hand (so that malformed ones can be made),
// gzipped with zlib, and a whole small MNIST-format directory for runs of labsweep-train.

#include <cstdint>
#include <string>
#include <vector>

namespace labsweep::trainer::testing {

// An IDX file of unsigned bytes: magic 00 00 08 ndims, big-endian dims, then `data`.
std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data,
                      uint8_t type = 0x08);

// `plain` compressed as a gzip file (what gzip(1) writes).
std::string gzipped(const std::string& plain);

// Writes train-* and t10k-* images (side x side) and labels into `dir`: 10 classes, each image
// a noisy picture of its label (learnable in a few epochs). Gzipped when `gzip`.
void write_mnist_dir(const std::string& dir, int train_rows, int test_rows, int side, bool gzip);

}  // namespace labsweep::trainer::testing
