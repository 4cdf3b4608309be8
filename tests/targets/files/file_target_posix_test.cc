// FileTarget on Linux file systems: names differing only in case are refused
// as ambiguous (they need a case-sensitive file system), symlinks out of the
// root are refused (and skipped by enumeration), and an atomic replace keeps
// the file's POSIX permissions.
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

TEST_F(FileTargetTest, MapRefusesAmbiguousCaseOnlyDifferences) {
  fs::create_directories(root_ / "C" / "Logs");
  fs::create_directories(root_ / "C" / "LOGS");
  auto exact = files_.Map("C:\\Logs");
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, root_ / "C" / "Logs");
  auto ambiguous = files_.Map("C:\\logs");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_TRUE(ambiguous.status().Is(StatusCode::kInvalidInput));
}

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

TEST_F(FileTargetTest, EnumerateListsRegularFilesRecursivelyInDiskSpelling) {
  WriteFileBytes(MaintPath(), "daily");
  WriteFileBytes(root_ / "C" / "Program Files" / "DataCenter" / "WeeklyMaint.cmd", "weekly");
  WriteFileBytes(root_ / "C" / "Program Files" / "DataCenter" / "sub" / "Deep.txt", "deep");
  WriteFileBytes(tmp_ / "outside.txt", "outside");
  fs::create_symlink(tmp_ / "outside.txt", root_ / "C" / "Program Files" / "DataCenter" / "l.txt");
  fs::create_directory_symlink(tmp_.path(), root_ / "C" / "Program Files" / "DataCenter" / "ldir");

  auto entries = files_.Enumerate("c:\\program files\\datacenter");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].resource.path, "C:\\Program Files\\DataCenter\\DailyMaint.cmd");
  EXPECT_EQ((*entries)[1].resource.path, "C:\\Program Files\\DataCenter\\WeeklyMaint.cmd");
  EXPECT_EQ((*entries)[2].resource.path, "C:\\Program Files\\DataCenter\\sub\\Deep.txt");
  EXPECT_EQ((*entries)[0].resource.host, "SERVER1");
  EXPECT_EQ((*entries)[0].content, "daily");
  EXPECT_EQ((*entries)[1].value, FileOf("weekly"));
  EXPECT_EQ((*entries)[2].resource, Resource::File("server1", "C:/program files/datacenter/SUB/deep.txt"));

  auto one = files_.Enumerate(kMaint);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].content, "daily");

  auto none = files_.Enumerate("D:\\missing");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(files_.Enumerate("relative\\folder").ok());
}

}  // namespace
}  // namespace tidemark::targets
