// Reading a trial's output files without following what the trial put in their place.

#include "agent/trial_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "tests/support/temp_dir.h"

namespace labsweep::agent {
namespace {

TEST(TrialFileTest, OpensARegularFile) {
  labsweep::testing::TempDir dir;
  std::string path = dir.write("stdout.log", "hello\n");
  int fd = open_trial_file(path);
  ASSERT_GE(fd, 0);
  char text[16] = {};
  EXPECT_EQ(::read(fd, text, sizeof text), 6);
  EXPECT_STREQ(text, "hello\n");
  ::close(fd);
}

TEST(TrialFileTest, SaysWhenTheFileIsNotThere) {
  labsweep::testing::TempDir dir;
  EXPECT_EQ(open_trial_file(dir.path() / "stdout.log"), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(TrialFileTest, RefusesLinksFifosAndFilesWithTwoNames) {
  labsweep::testing::TempDir dir;
  std::string secret = dir.write("secret", "only root may read this\n");
  ASSERT_EQ(::symlink(secret.c_str(), (dir.path() / "symlink.log").c_str()), 0);
  ASSERT_EQ(::link(secret.c_str(), (dir.path() / "hardlink.log").c_str()), 0);
  ASSERT_EQ(::mkfifo((dir.path() / "fifo.log").c_str(), 0600), 0);
  for (const char* name : {"symlink.log", "hardlink.log", "fifo.log"}) {
    EXPECT_EQ(open_trial_file(dir.path() / name), -1) << name;  // the FIFO does not block
  }
}

}  // namespace
}  // namespace labsweep::agent
