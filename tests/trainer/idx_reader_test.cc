// IDX files read as written, gzipped or not, and every malformed kind refused with the file named.

#include "trainer/idx_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "tests/trainer/idx_files.h"

namespace labsweep::trainer {
namespace {

using labsweep::testing::TempDir;
using ::testing::ElementsAre;
using testing::gzipped;
using ::testing::HasSubstr;
using testing::idx_bytes;

class IdxReaderTest : public ::testing::Test {
 protected:
  // The error reading `bytes` as a file named `name`.
  std::string error_of(const std::string& name, const std::string& bytes,
                       const IdxLimits& limits = {}) {
    Result<IdxArray> read = read_idx(dir_.write(name, bytes), limits);
    EXPECT_FALSE(read.is_ok()) << name << " was read";
    return read.is_ok() ? "" : read.status().message();
  }

  TempDir dir_;
  std::string images_ = idx_bytes({3, 2, 2}, {0, 255, 51, 102, 1, 2, 3, 4, 5, 6, 7, 8});
  std::string labels_ = idx_bytes({3}, {9, 0, 4});
};

TEST_F(IdxReaderTest, ReadsPlainAndGzippedFilesAlike) {
  for (bool gzip : {false, true}) {
    std::string path = dir_.write("a.idx", gzip ? gzipped(images_) : images_);
    Result<IdxArray> read = read_idx(path);
    ASSERT_TRUE(read.is_ok()) << read.status().message();
    EXPECT_THAT(read->dims, ElementsAre(3, 2, 2));
    ASSERT_EQ(read->data.size(), 12u);
    EXPECT_EQ(read->data[1], 255);
    EXPECT_EQ(read->data[11], 8);
  }
}

TEST_F(IdxReaderTest, ReadsImagesAndLabelsIntoADatasetScaledToOne) {
  Result<Dataset> set =
      read_idx_dataset(dir_.write("images", gzipped(images_)), dir_.write("labels", labels_));
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  EXPECT_EQ(set->rows, 3);
  EXPECT_EQ(set->features, 4);
  EXPECT_EQ(set->classes, 10);
  EXPECT_THAT(set->y, ElementsAre(9, 0, 4));
  EXPECT_FLOAT_EQ(set->x[1], 1.0f);
  EXPECT_FLOAT_EQ(set->x[2], 0.2f);
}

TEST_F(IdxReaderTest, FindsAnMnistDirectoryGzippedOrNot) {
  for (bool gzip : {false, true}) {
    TempDir dir;
    testing::write_mnist_dir(dir.path().string(), 20, 5, 10, gzip);
    Result<Dataset> train = read_mnist_set(dir.path().string(), "train");
    ASSERT_TRUE(train.is_ok()) << train.status().message();
    EXPECT_EQ(train->rows, 20);
    EXPECT_EQ(train->features, 100);
    Result<Dataset> test = read_mnist_set(dir.path().string(), "t10k");
    ASSERT_TRUE(test.is_ok()) << test.status().message();
    EXPECT_EQ(test->rows, 5);
  }
}

TEST_F(IdxReaderTest, AMissingSetNamesTheFileItLookedFor) {
  Result<Dataset> set = read_mnist_set(dir_.path().string(), "train");
  ASSERT_FALSE(set.is_ok());
  EXPECT_EQ(set.status().message(),
            dir_.path().string() +
                "/train-images-idx3-ubyte(.gz): no such file (--data names a directory of IDX "
                "files)");
}

TEST_F(IdxReaderTest, RefusesHeadersThatAreNotIdx) {
  EXPECT_EQ(error_of("empty", ""), dir_.path().string() + "/empty: too short for an IDX header");
  EXPECT_THAT(error_of("magic", "\x01\x02\x08\x01\0\0\0\0"),
              HasSubstr("/magic: not an IDX file (the magic number must start with two zero"));
  EXPECT_THAT(error_of("float", idx_bytes({1}, {0, 0, 0, 0}, 0x0d)),
              HasSubstr("/float: IDX type 0x0d is not supported (only 0x08, unsigned bytes)"));
  EXPECT_THAT(error_of("nodims", std::string("\0\0\x08\0", 4)),
              HasSubstr("/nodims: 0 dimensions; expected 1 to 4"));
  EXPECT_THAT(error_of("fivedims", idx_bytes({1, 1, 1, 1, 1}, {7})),
              HasSubstr("/fivedims: 5 dimensions; expected 1 to 4"));
  EXPECT_THAT(error_of("header", idx_bytes({3, 2, 2}, {}).substr(0, 10)),
              HasSubstr("/header: truncated IDX header"));
}

TEST_F(IdxReaderTest, RefusesDataOfAnotherLengthThanTheDimensionsSay) {
  EXPECT_THAT(error_of("short", images_.substr(0, images_.size() - 1)),
              HasSubstr("/short: truncated: the dimensions ask for 12 bytes of data, the file "
                        "holds 11"));
  EXPECT_THAT(error_of("long", images_ + "xy"),
              HasSubstr("/long: 2 bytes after the data the dimensions describe"));
}

TEST_F(IdxReaderTest, BoundsWhatAHeaderMayAskFor) {
  EXPECT_THAT(error_of("huge", idx_bytes({0xffffffff, 0xffffffff, 0xffffffff}, {})),
              HasSubstr("/huge: the dimensions ask for more than 2147483647 bytes"));
  IdxLimits small;
  small.max_bytes = 8;
  EXPECT_THAT(error_of("limited", images_, small),
              HasSubstr("/limited: 28 bytes, more than the limit of 8"));
  EXPECT_THAT(error_of("limited.gz", gzipped(images_ + std::string(1000, 'x')), small),
              HasSubstr("more than the limit of 8"));
}

TEST_F(IdxReaderTest, RefusesCorruptAndTruncatedGzip) {
  std::string gz = gzipped(images_);
  EXPECT_THAT(error_of("cut.gz", gz.substr(0, gz.size() / 2)),
              HasSubstr("/cut.gz: truncated gzip data"));
  std::string garbled = gz;
  for (size_t i = 10; i < garbled.size() - 8; ++i) garbled[i] = static_cast<char>(0xff);
  EXPECT_THAT(error_of("garbled.gz", garbled), HasSubstr("/garbled.gz: corrupt gzip data ("));
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 5] ^= 0x55;
  EXPECT_THAT(error_of("crc.gz", bad_crc),
              HasSubstr("/crc.gz: corrupt gzip data (incorrect data check)"));
  EXPECT_THAT(error_of("trailing.gz", gz + "junk"),
              HasSubstr("/trailing.gz: data after the end of the gzip stream"));
  EXPECT_THAT(error_of("magic-only.gz", "\x1f\x8b"),
              HasSubstr("/magic-only.gz: truncated gzip data"));
}

TEST_F(IdxReaderTest, RefusesLabelsThatDoNotFitTheImages) {
  std::string images = dir_.write("images", images_);
  auto error = [&](const std::string& labels) {
    Result<Dataset> set = read_idx_dataset(images, dir_.write("labels", labels));
    return set.is_ok() ? std::string("read") : set.status().message();
  };
  EXPECT_THAT(error(idx_bytes({3}, {1, 10, 2})),
              HasSubstr("/labels: label 10 of item 1 is not below 10"));
  EXPECT_THAT(error(idx_bytes({2}, {1, 2})), HasSubstr("/images holds 3 images but "));
  EXPECT_THAT(error(idx_bytes({3, 1}, {1, 2, 3})),
              HasSubstr("/labels: labels need exactly 1 dimension, not 2"));
  Result<Dataset> flat = read_idx_dataset(dir_.write("flat", idx_bytes({3}, {1, 2, 3})),
                                          dir_.write("labels", labels_));
  ASSERT_FALSE(flat.is_ok());
  EXPECT_THAT(flat.status().message(), HasSubstr("/flat: images need at least 2 dimensions"));
}

TEST_F(IdxReaderTest, NamesAFileThatCannotBeOpened) {
  Result<IdxArray> read = read_idx("/nonexistent/file.idx");
  ASSERT_FALSE(read.is_ok());
  EXPECT_EQ(read.status().message(), "/nonexistent/file.idx: cannot open");
}

}  // namespace
}  // namespace labsweep::trainer
