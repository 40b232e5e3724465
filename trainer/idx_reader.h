#pragma once

// Reading IDX files (the MNIST format: http://yann.lecun.com/exdb/mnist/), gzipped or not, into
// a Dataset. Every error names the file: the data comes from outside and may be truncated,
// corrupt or of another kind than expected.

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "trainer/dataset.h"

namespace labsweep::trainer {

// One IDX array of unsigned bytes (type 0x08, the only type MNIST-format sets use).
struct IdxArray {
  std::vector<uint32_t> dims;  // dims[0] counts the items
  std::vector<uint8_t> data;   // the product of dims bytes, row-major
};

// Bounds on what a reader accepts, so that a hostile header cannot ask for unbounded memory.
struct IdxLimits {
  int64_t max_bytes = (int64_t{1} << 31) - 1;  // decompressed size of the whole file
  int max_dims = 4;
};

// Reads `path`: gzip is recognised by its magic bytes. Checks the magic, the type, the number of
// dimensions and that the data is exactly as long as the dimensions say.
Result<IdxArray> read_idx(const std::string& path, const IdxLimits& limits = {});

// Parses an IDX file's bytes (already decompressed); `name` is the file named in errors.
Result<IdxArray> parse_idx(const std::string& name, std::vector<uint8_t> bytes,
                           const IdxLimits& limits = {});

// Images (items x rows x cols ..., features = the product of the rest, scaled to [0, 1]) and
// their labels (one dimension, each < `classes`), which must agree in count.
Result<Dataset> read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                                 int classes = 10, const IdxLimits& limits = {});

// The set `prefix` ("train" or "t10k") of an MNIST-format directory: `prefix`-images-idx3-ubyte
// and `prefix`-labels-idx1-ubyte, each plain or with ".gz".
Result<Dataset> read_mnist_set(const std::string& dir, const std::string& prefix,
                               const IdxLimits& limits = {});

}  // namespace labsweep::trainer
