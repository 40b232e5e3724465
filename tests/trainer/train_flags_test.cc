// labsweep-train's flags as the sweep engine renders them, and bad values refused with exit code 2
// and a message naming the flag and its range.

#include "trainer/train_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace labsweep::trainer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TrainFlags parsed(const std::vector<std::string>& args) {
  FlagsParse p = parse_train_flags(args);
  EXPECT_TRUE(p.flags.has_value()) << p.text;
  return p.flags.value_or(TrainFlags{});
}

std::string error_of(const std::vector<std::string>& args) {
  FlagsParse p = parse_train_flags(args);
  EXPECT_FALSE(p.flags.has_value());
  EXPECT_EQ(p.exit_code, 2) << p.text;
  return p.text;
}

TEST(TrainFlagsTest, NoFlagsGiveTheDefaultConfiguration) {
  TrainFlags f = parsed({});
  EXPECT_THAT(f.model.hidden, ElementsAre(256, 256));
  EXPECT_EQ(f.model.activation, Activation::kRelu);
  EXPECT_FLOAT_EQ(f.model.dropout, 0.1f);
  EXPECT_EQ(f.optimizer.kind, OptimizerKind::kAdamW);
  EXPECT_FLOAT_EQ(f.optimizer.weight_decay, 1e-4f);
  EXPECT_EQ(f.schedule.kind, ScheduleKind::kCosine);
  EXPECT_FLOAT_EQ(f.schedule.lr, 1e-3f);
  EXPECT_EQ(f.epochs, 20);
  EXPECT_EQ(f.batch_size, 128);
  EXPECT_DOUBLE_EQ(f.validation_fraction, 0.1);
  EXPECT_EQ(f.data_dir, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(f.device, DeviceChoice::kAuto);
  EXPECT_FALSE(f.tf32);
}

TEST(TrainFlagsTest, ReadsFlagsAsTheSweepEngineRendersThem) {
  TrainFlags f = parsed({"--activation=gelu", "--batch_size=64",    "--dropout=0.25",
                         "--epochs=3",        "--gamma=0.5",        "--lr=1e-05",
                         "--momentum=0.8",    "--nesterov=True",    "--optimizer=sgd",
                         "--schedule=step",   "--seed=7",           "--step_size=2",
                         "--tf32=False",      "--warmup=0.5",       "--weight_decay=0.01",
                         "--width=128.0",     "--depth=3",          "--device=cpu",
                         "--threads=2",       "--limit_train=1000", "--validation_fraction=0.2",
                         "--data=/tmp/x"});
  EXPECT_EQ(f.model.activation, Activation::kGelu);
  EXPECT_EQ(f.batch_size, 64);
  EXPECT_FLOAT_EQ(f.model.dropout, 0.25f);
  EXPECT_EQ(f.epochs, 3);
  EXPECT_FLOAT_EQ(f.schedule.gamma, 0.5f);
  EXPECT_FLOAT_EQ(f.schedule.lr, 1e-5f);
  EXPECT_FLOAT_EQ(f.optimizer.momentum, 0.8f);
  EXPECT_TRUE(f.optimizer.nesterov);
  EXPECT_EQ(f.optimizer.kind, OptimizerKind::kSgd);
  EXPECT_EQ(f.schedule.kind, ScheduleKind::kStep);
  EXPECT_EQ(f.seed, 7u);
  EXPECT_EQ(f.schedule.step_size, 2);
  EXPECT_FALSE(f.tf32);
  EXPECT_DOUBLE_EQ(f.schedule.warmup_epochs, 0.5);
  EXPECT_FLOAT_EQ(f.optimizer.weight_decay, 0.01f);
  EXPECT_THAT(f.model.hidden, ElementsAre(128, 128, 128));
  EXPECT_EQ(f.device, DeviceChoice::kCpu);
  EXPECT_EQ(f.threads, 2);
  EXPECT_EQ(f.limit_train, 1000);
  EXPECT_DOUBLE_EQ(f.validation_fraction, 0.2);
  EXPECT_EQ(f.data_dir, "/tmp/x");
}

TEST(TrainFlagsTest, TakesHyphenatedNamesSpaceSeparatedValuesAndBareBooleans) {
  TrainFlags f = parsed({"--batch-size", "32", "--tf32", "--weight-decay=0"});
  EXPECT_EQ(f.batch_size, 32);
  EXPECT_TRUE(f.tf32);
  EXPECT_FLOAT_EQ(f.optimizer.weight_decay, 0.0f);
}

TEST(TrainFlagsTest, TheLastOfARepeatedFlagWins) {
  TrainFlags f = parsed({"--lr=0.5", "--device=cpu", "--lr=0.25", "--tf32", "--tf32=False"});
  EXPECT_FLOAT_EQ(f.schedule.lr, 0.25f);
  EXPECT_FALSE(f.tf32);
}

TEST(TrainFlagsTest, HiddenTakesAListInEitherForm) {
  EXPECT_THAT(parsed({"--hidden=512,128"}).model.hidden, ElementsAre(512, 128));
  EXPECT_THAT(parsed({"--hidden=[512, 128, 64]"}).model.hidden, ElementsAre(512, 128, 64));
  EXPECT_THAT(parsed({"--hidden=300"}).model.hidden, ElementsAre(300));
  EXPECT_THAT(parsed({"--hidden=[]"}).model.hidden, ElementsAre());
  EXPECT_THAT(parsed({"--depth=0"}).model.hidden, ElementsAre());
}

TEST(TrainFlagsTest, BadValuesNameTheFlagAndTheRange) {
  EXPECT_EQ(error_of({"--lr=0"}), "labsweep-train: --lr=0: expected a number with 0 < value <= 10");
  EXPECT_EQ(error_of({"--lr=fast"}),
            "labsweep-train: --lr=fast: expected a number with 0 < value <= 10");
  EXPECT_EQ(error_of({"--dropout=1"}),
            "labsweep-train: --dropout=1: expected a number with 0 <= value < 1");
  EXPECT_EQ(error_of({"--epochs=0"}),
            "labsweep-train: --epochs=0: expected an integer from 1 to 10000");
  EXPECT_EQ(error_of({"--batch_size=12.5"}),
            "labsweep-train: --batch-size=12.5: expected an integer from 1 to 65536");
  EXPECT_EQ(error_of({"--optimizer=rmsprop"}),
            "labsweep-train: --optimizer=rmsprop: expected one of sgd, adam, adamw");
  EXPECT_EQ(error_of({"--device=tpu"}),
            "labsweep-train: --device=tpu: expected one of auto, cpu, cuda");
  EXPECT_EQ(error_of({"--tf32=maybe"}), "labsweep-train: --tf32=maybe: expected True or False");
  EXPECT_EQ(error_of({"--momentum=nan"}),
            "labsweep-train: --momentum=nan: expected a number with 0 <= value < 1");
  EXPECT_EQ(error_of({"--validation-fraction=1"}),
            "labsweep-train: --validation-fraction=1: expected a number with 0 < value < 1");
  EXPECT_EQ(error_of({"--lr="}), "labsweep-train: --lr: 1 required TEXT missing");
}

TEST(TrainFlagsTest, BadListsAndConflictsAreRefused) {
  std::string list = "expected a list of up to 16 widths from 1 to 65536, e.g. 256,128";
  EXPECT_EQ(error_of({"--hidden=256,,128"}), "labsweep-train: --hidden=256,,128: " + list);
  EXPECT_EQ(error_of({"--hidden=[256, 0]"}), "labsweep-train: --hidden=[256, 0]: " + list);
  EXPECT_EQ(error_of({"--hidden=wide"}), "labsweep-train: --hidden=wide: " + list);
  EXPECT_EQ(error_of({"--hidden=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1"}),
            "labsweep-train: --hidden=1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1: " + list);
  EXPECT_EQ(error_of({"--hidden=256", "--width=64"}),
            "labsweep-train: --hidden: give either --hidden or --depth and --width, not both");
}

TEST(TrainFlagsTest, UnknownFlagsAndHelp) {
  EXPECT_THAT(error_of({"--learning-rate=0.1"}), HasSubstr("--learning-rate=0.1"));
  EXPECT_THAT(error_of({"stray"}), HasSubstr("stray"));
  FlagsParse help = parse_train_flags({"--help"});
  EXPECT_FALSE(help.flags.has_value());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.text, HasSubstr("--weight-decay,--weight_decay"));
}

}  // namespace
}  // namespace labsweep::trainer
