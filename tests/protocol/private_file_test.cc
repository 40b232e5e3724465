#include "protocol/private_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/temp_dir.h"

namespace labsweep::protocol {
namespace {

using ::testing::HasSubstr;

mode_t mode_of(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0);
  return info.st_mode & 07777;
}

TEST(PrivateFileTest, IsCreatedWithMode0600EvenUnderAPermissiveUmask) {
  testing::TempDir dir;
  mode_t old = ::umask(0);
  Status written = write_private_file(dir.path() / "secret", "s3cret\n", Overwrite::kNo);
  ::umask(old);
  ASSERT_TRUE(written.is_ok()) << written.message();
  EXPECT_EQ(mode_of(dir.path() / "secret"), 0600u);
  auto read = read_private_file(dir.path() / "secret");
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  EXPECT_EQ(*read, "s3cret\n");
}

TEST(PrivateFileTest, KeepsAnExistingFileUnlessTold) {
  testing::TempDir dir;
  ASSERT_TRUE(write_private_file(dir.path() / "f", "one", Overwrite::kNo).is_ok());
  Status again = write_private_file(dir.path() / "f", "two", Overwrite::kNo);
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("already exists"));
  EXPECT_EQ(*read_private_file(dir.path() / "f"), "one");
  ASSERT_TRUE(write_private_file(dir.path() / "f", "two", Overwrite::kYes).is_ok());
  EXPECT_EQ(*read_private_file(dir.path() / "f"), "two");
  EXPECT_EQ(mode_of(dir.path() / "f"), 0600u);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(PrivateFileTest, RefusesAFileGroupOrOthersMayRead) {
  testing::TempDir dir;
  for (mode_t mode : {0640, 0604, 0660, 0644, 0602}) {
    std::string path = dir.write("key", "secret");
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto read = read_private_file(path);
    ASSERT_FALSE(read.is_ok()) << std::oct << mode;
    EXPECT_EQ(read.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(read.status().message(), HasSubstr(path + ": group or others may access it"));
  }
  std::string path = dir.write("key", "secret");
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(read_private_file(path).is_ok());
}

TEST(PrivateFileTest, RefusesWhatIsNotARegularFileOrIsMissing) {
  testing::TempDir dir;
  EXPECT_EQ(read_private_file(dir.path() / "missing").status().code(), StatusCode::kIoError);
  std::filesystem::create_symlink("/etc/hostname", dir.path() / "link");
  EXPECT_FALSE(read_private_file(dir.path() / "link").is_ok());  // O_NOFOLLOW
  ASSERT_EQ(::mkdir((dir.path() / "d").c_str(), 0700), 0);
  EXPECT_FALSE(read_private_file(dir.path() / "d").is_ok());
}

// The package's /etc/labsweep/keys belongs to labsweep: what root's `labsweep keys` writes there
// must be readable by the services, which run as labsweep.
TEST(PrivateFileTest, RootWritingIntoAnotherUsersDirectoryGivesTheFilesToThatUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to own files for another user";
  testing::TempDir dir;
  const uid_t nobody = 65534;
  ASSERT_EQ(::chown(dir.path().c_str(), nobody, nobody), 0);
  // A link the directory's owner put where the public file goes is replaced, not followed.
  std::filesystem::path target = dir.path().parent_path() / (dir.path().filename().string() + "-t");
  ASSERT_EQ(::symlink(target.c_str(), (dir.path() / "server.pub").c_str()), 0);
  mode_t old = ::umask(022);
  Status key = write_private_file(dir.path() / "server.key", "k\n", Overwrite::kNo);
  Status pub = write_public_file(dir.path() / "server.pub", "p\n");
  ::umask(old);
  ASSERT_TRUE(key.is_ok()) << key.message();
  ASSERT_TRUE(pub.is_ok()) << pub.message();
  EXPECT_FALSE(std::filesystem::exists(target));
  for (const char* name : {"server.key", "server.pub"}) {
    struct stat info {};
    ASSERT_EQ(::lstat((dir.path() / name).c_str(), &info), 0) << name;
    EXPECT_TRUE(S_ISREG(info.st_mode)) << name;
    EXPECT_EQ(info.st_uid, nobody) << name;
    EXPECT_EQ(info.st_gid, nobody) << name;
  }
  EXPECT_EQ(mode_of(dir.path() / "server.key"), 0600u);
  EXPECT_EQ(mode_of(dir.path() / "server.pub"), 0644u);
}

TEST(PrivateFileTest, MakesDirectoriesOnlyItsOwnerMayEnter) {
  testing::TempDir dir;
  ASSERT_TRUE(make_private_dir(dir.path() / "a" / "keys").is_ok());
  EXPECT_EQ(mode_of(dir.path() / "a" / "keys"), 0700u);
  EXPECT_TRUE(make_private_dir(dir.path() / "a" / "keys").is_ok());  // already there
}

}  // namespace
}  // namespace labsweep::protocol
