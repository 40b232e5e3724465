#include "bench/curve_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace labsweep::bench {
namespace {

using ::testing::HasSubstr;

constexpr const char* kHeader = "lr,width,epoch,val_accuracy,val_loss,epoch_time_s,test_accuracy\n";

std::string two_configs() {
  return std::string(kHeader) +
         "0.001,64,1,0.5,1.2,0.25,\n"
         "0.001,64,2,0.6,1.1,0.25,0.58\n"
         "3e-4,128,2,0.7,0.9,0.5,0.69\n"  // rows of a configuration may come in any order
         "3e-4,128,1,0.4,1.4,0.5,\n";
}

std::string error_of(const std::string& csv) {
  Result<CurveTable> table = CurveTable::parse(csv);
  return table ? "" : table.status().message();
}

TEST(CurveTableTest, ReadsConfigurationsAndTheirCurves) {
  Result<CurveTable> table = CurveTable::parse(two_configs());
  ASSERT_TRUE(table) << table.status().message();
  EXPECT_THAT(table->axes(), ::testing::ElementsAre("lr", "width"));
  EXPECT_EQ(table->epochs(), 2);
  ASSERT_EQ(table->configs().size(), 2u);
  Result<size_t> at = table->find({3e-4, 128});
  ASSERT_TRUE(at);
  const RecordedConfig& c = table->configs()[*at];
  EXPECT_DOUBLE_EQ(c.epochs[0].val_accuracy, 0.4);
  EXPECT_DOUBLE_EQ(c.epochs[1].val_loss, 0.9);
  EXPECT_DOUBLE_EQ(c.epochs[1].epoch_time_s, 0.5);
  EXPECT_DOUBLE_EQ(c.test_accuracy, 0.69);
}

TEST(CurveTableTest, FindsOnlyRecordedValues) {
  Result<CurveTable> table = CurveTable::parse(two_configs());
  ASSERT_TRUE(table);
  EXPECT_TRUE(table->find({0.001, 64}));
  Result<size_t> missing = table->find({0.001, 128});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().message(), "no recorded configuration 0.001,128 in the table");
}

TEST(CurveTableTest, AcceptsCrlfAndARepeatedTestColumn) {
  std::string csv =
      "a,epoch,val_accuracy,val_loss,epoch_time_s,test_accuracy\r\n1,1,0.5,1,1,0.4\r\n"
      "1,2,0.6,1,1,0.5\r\n\r\n";
  Result<CurveTable> table = CurveTable::parse(csv);
  ASSERT_TRUE(table) << table.status().message();
  EXPECT_DOUBLE_EQ(table->configs()[0].test_accuracy, 0.5);  // the last epoch's
}

TEST(CurveTableTest, RejectsABadHeader) {
  EXPECT_EQ(error_of(""), "line 1: no header");
  EXPECT_EQ(error_of("lr,val_accuracy\n"),
            "line 1: the header needs axis columns, then an 'epoch' column");
  EXPECT_EQ(error_of("epoch,val_accuracy,val_loss,epoch_time_s,test_accuracy\n"),
            "line 1: the header needs axis columns, then an 'epoch' column");
  EXPECT_EQ(error_of("lr,epoch,val_accuracy,epoch_time_s,test_accuracy\n"),
            "line 1: no 'val_loss' column");
  EXPECT_EQ(error_of(kHeader), "the table has no rows");
}

TEST(CurveTableTest, RejectsMalformedRows) {
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1,0.5,1.2\n"),
            "line 2: 5 columns, the header has 7");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,wide,1,0.5,1.2,0.25,\n"),
            "line 2: width is not a finite number: 'wide'");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1,nan,1.2,0.25,\n"),
            "line 2: val_accuracy is not a finite number: 'nan'");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1,0.5,,0.25,\n"),
            "line 2: val_loss is not a finite number: ''");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1,0.5,1.2,0.25,x\n"),
            "line 2: test_accuracy is not a finite number: 'x'");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,0,0.5,1.2,0.25,\n"),
            "line 2: epoch must be an integer from 1, not 0");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1.5,0.5,1.2,0.25,\n"),
            "line 2: epoch must be an integer from 1, not 1.5");
  EXPECT_EQ(error_of(std::string(kHeader) + "0.001,64,1,0.5,1.2,0.25,0.4\n0.001,64,1,0.5,1,1,\n"),
            "line 3: a second row for this epoch");
}

TEST(CurveTableTest, RejectsIncompleteConfigurations) {
  EXPECT_THAT(error_of(std::string(kHeader) + "0.001,64,2,0.5,1.2,0.25,0.4\n"),
              HasSubstr("configuration 0.001,64: no row for epoch 1"));
  EXPECT_THAT(error_of(std::string(kHeader) + "0.001,64,1,0.5,1.2,0.25,\n"),
              HasSubstr("configuration 0.001,64: no test_accuracy on the row of its last epoch"));
  EXPECT_THAT(
      error_of(std::string(kHeader) + "1,1,1,0.5,1,1,0.4\n2,2,1,0.5,1,1,\n2,2,2,0.5,1,1,0.4\n"),
      HasSubstr(": 2 epochs, others have 1"));
  // A test accuracy on an earlier row only: the last epoch's is missing.
  EXPECT_THAT(error_of(std::string(kHeader) + "1,1,1,0.5,1,1,0.4\n1,1,2,0.5,1,1,\n"),
              HasSubstr("no test_accuracy on the row of its last epoch"));
}

TEST(CurveTableTest, LoadNamesTheFile) {
  Result<CurveTable> table = CurveTable::load("/nonexistent/curves.csv");
  ASSERT_FALSE(table);
  EXPECT_EQ(table.status().message(), "couldn't open the curve table /nonexistent/curves.csv");
}

}  // namespace
}  // namespace labsweep::bench
