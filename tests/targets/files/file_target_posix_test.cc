// FileTarget on Linux file systems: symlinks out of the root are refused, and
// an atomic replace keeps the file's POSIX permissions.
#include "engine/targets/file_target.h"

#include <sys/stat.h>

#include <filesystem>
#include <gtest/gtest.h>

#include "tests/targets/files/file_target_fixture.h"

namespace tidemark::targets {
namespace {

namespace fs = std::filesystem;
using tidemark::testing::ReadFileBytes;
using tidemark::testing::WriteFileBytes;

TEST_F(FileTargetTest, MapRefusesEscapeThroughSymlinks) {
  fs::create_directories(tmp_ / "outside");
  WriteFileBytes(tmp_ / "outside" / "secret.txt", "secret");
  fs::create_directory_symlink(tmp_ / "outside", root_ / "C" / "Escape");
  fs::create_symlink(tmp_ / "outside" / "secret.txt", root_ / "C" / "secret.txt");
  fs::create_directory_symlink(root_ / "C" / "Program Files", root_ / "C" / "Inside");

  auto via_dir = files_.Map("C:\\escape\\secret.txt");
  ASSERT_FALSE(via_dir.ok());
  EXPECT_TRUE(via_dir.status().Is(StatusCode::kInvalidInput));
  EXPECT_NE(via_dir.status().message().find("outside the file root"), std::string::npos);
  EXPECT_FALSE(files_.Map("C:\\Escape\\new-file.txt").ok());
  EXPECT_FALSE(files_.Map("C:\\secret.txt").ok());
  auto read = files_.ReadContent(Resource::File("SERVER1", "C:\\Escape\\secret.txt"));
  EXPECT_FALSE(read.ok());
  // Dangling links pointing outside are refused too, and writes through them change nothing.
  fs::create_symlink(tmp_ / "outside" / "not-yet", root_ / "C" / "dangling");
  EXPECT_FALSE(files_.Map("C:\\dangling").ok());
  EXPECT_FALSE(files_.Map("C:\\dangling\\x.txt").ok());
  Status w = files_.WriteContent(Resource::File("SERVER1", "C:\\dangling\\x.txt"),
                                 Value::Absent(), std::string("x"));
  EXPECT_TRUE(w.Is(StatusCode::kInvalidInput)) << w.ToString();
  EXPECT_FALSE(fs::exists(tmp_ / "outside" / "not-yet"));

  // A link that stays inside the root is fine.
  auto inside = files_.Map("C:\\Inside\\DataCenter");
  ASSERT_TRUE(inside.ok()) << inside.status().ToString();
}

TEST_F(FileTargetTest, WriteReplacesAtomicallyKeepingPermissions) {
  const std::string old_content = "old\r\n";
  WriteFileBytes(MaintPath(), old_content);
  ASSERT_EQ(::chmod(MaintPath().c_str(), 0750), 0);
  const std::string new_content("new\r\n\xC3\x28\0end", 11);
  Status s = files_.WriteContent(Maint(), FileOf(old_content), new_content);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFileBytes(MaintPath()), new_content);
  struct stat st;
  ASSERT_EQ(::stat(MaintPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(Listing(MaintPath().parent_path()), std::vector<std::string>{"DailyMaint.cmd"});
  auto v = files_.Read(Maint());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, FileOf(new_content));
}

}  // namespace
}  // namespace tidemark::targets
