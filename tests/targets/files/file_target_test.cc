// FileTarget against real files in a temp folder: path mapping, byte-exact
// reads, compare-and-set atomic writes, enumeration, and ReplaceAll
// (case-only twins, symlinks, enumeration past symlinks and POSIX permissions:
// file_target_posix_test.cc).
#include "engine/targets/file_target.h"

#include <filesystem>
#include <gtest/gtest.h>

#include "tests/targets/files/file_target_fixture.h"

namespace tidemark::targets {
namespace {

namespace fs = std::filesystem;
using tidemark::testing::ReadFileBytes;
using tidemark::testing::WriteFileBytes;

TEST_F(FileTargetTest, MapsSegmentsCaseInsensitivelyKeepingDiskSpelling) {
  WriteFileBytes(MaintPath(), "x");
  auto m = files_.Map("c:\\PROGRAM FILES\\datacenter\\dailymaint.CMD");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, MaintPath());
  auto slashes = files_.Map("C:/program files//DataCenter/./DailyMaint.cmd");
  ASSERT_TRUE(slashes.ok()) << slashes.status().ToString();
  EXPECT_EQ(*slashes, MaintPath());
}

TEST_F(FileTargetTest, MapKeepsGivenSpellingForNewSegments) {
  auto m = files_.Map("c:\\program files\\NewVendor\\Sub\\File.TXT");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(*m, root_ / "C" / "Program Files" / "NewVendor" / "Sub" / "File.TXT");
  auto d = files_.Map("d:\\data");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, root_ / "D" / "data");
}

TEST_F(FileTargetTest, MapRefusesBadPaths) {
  const std::vector<std::string> bad = {
      "",
      "Program Files\\DataCenter\\DailyMaint.cmd",
      "C:Program Files\\x",
      "C:",
      "\\\\server\\share\\x",
      "\\Windows\\x",
      "1:\\x",
      "CC:\\x",
      "C:\\Program Files\\..\\..\\..\\etc\\passwd",
      "C:\\..",
      std::string("C:\\a\0b", 6),
      "C:\\file.txt:stream",
  };
  for (const std::string& p : bad) {
    auto m = files_.Map(p);
    EXPECT_FALSE(m.ok()) << "accepted '" << p << "' as " << (m.ok() ? m->string() : "");
    if (!m.ok()) {
      EXPECT_TRUE(m.status().Is(StatusCode::kInvalidInput)) << m.status().ToString();
    }
  }
}

TEST_F(FileTargetTest, ReadsExactBytesAndAbsent) {
  // CRLF, a UTF-16LE BOM with NULs, Latin-1 and a lone CR: all kept as is.
  const std::string content("\xFF\xFE@\0e\0c\0h\0o\0\r\0\n\0caf\xE9\r\nlast\r", 22);
  WriteFileBytes(MaintPath(), content);
  auto c = files_.ReadContent(Maint());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ(**c, content);
  auto v = files_.Read(Maint());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, FileOf(content));
  EXPECT_EQ(v->integer, 22);

  auto missing = files_.Read(Resource::File("SERVER1", "C:\\Program Files\\DataCenter\\Nope.cmd"));
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->absent());
  auto missing_dir = files_.ReadContent(Resource::File("SERVER1", "E:\\no\\such\\dir\\f"));
  ASSERT_TRUE(missing_dir.ok());
  EXPECT_FALSE(missing_dir->has_value());
}

TEST_F(FileTargetTest, RefusesOtherHostsKindsAndFolders) {
  auto other = files_.Read(Resource::File("SERVER2", kMaint));
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(files_.Read(Resource::File("server1", "C:\\x")).ok());  // host is case-insensitive
  EXPECT_FALSE(files_.Read(Resource::Service("SERVER1", "x")).ok());
  auto folder = files_.Read(Resource::File("SERVER1", "C:\\Program Files"));
  ASSERT_FALSE(folder.ok());
  EXPECT_TRUE(folder.status().Is(StatusCode::kInvalidInput));
}

TEST(ReplaceAllTest, CountsAndPreservesBytes) {
  std::string script =
      "@echo off\r\n"
      "\"C:\\Program Files\\Microsoft SQL Server\\100\\Tools\\BINN\\OSQL.EXE\" -E -i a.sql\r\n"
      "rem caf\xE9\r\n"
      "\"C:\\Program Files\\Microsoft SQL Server\\100\\Tools\\BINN\\OSQL.EXE\" -E -i b.sql\r\n";
  const size_t n = ReplaceAll(script, "\\100\\Tools\\BINN\\", "\\130\\Tools\\BINN\\");
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(script,
            "@echo off\r\n"
            "\"C:\\Program Files\\Microsoft SQL Server\\130\\Tools\\BINN\\OSQL.EXE\" -E -i a.sql\r\n"
            "rem caf\xE9\r\n"
            "\"C:\\Program Files\\Microsoft SQL Server\\130\\Tools\\BINN\\OSQL.EXE\" -E -i b.sql\r\n");
}

TEST(ReplaceAllTest, LiteralNonOverlappingAndEmptyPattern) {
  std::string s = "aaaaa";
  EXPECT_EQ(ReplaceAll(s, "aa", "b"), 2u);
  EXPECT_EQ(s, "bba");
  std::string re = "a.c abc a.c";
  EXPECT_EQ(ReplaceAll(re, "a.c", "X"), 2u);  // '.' is not a wildcard
  EXPECT_EQ(re, "X abc X");
  std::string grow = "ab";
  EXPECT_EQ(ReplaceAll(grow, "a", "aa"), 1u);  // no re-scan of the replacement
  EXPECT_EQ(grow, "aab");
  std::string unchanged = "abc";
  EXPECT_EQ(ReplaceAll(unchanged, "", "x"), 0u);
  EXPECT_EQ(ReplaceAll(unchanged, "zz", "x"), 0u);
  EXPECT_EQ(unchanged, "abc");
  std::string nul("a\0b\0a", 5);
  EXPECT_EQ(ReplaceAll(nul, std::string_view("\0", 1), "-"), 2u);
  EXPECT_EQ(nul, "a-b-a");
}

TEST_F(FileTargetTest, WriteThroughDifferentCaseTargetsExistingFile) {
  WriteFileBytes(MaintPath(), "v1");
  Status s = files_.WriteContent(
      Resource::File("SERVER1", "c:\\program files\\DATACENTER\\dailymaint.cmd"), FileOf("v1"),
      std::string("v2"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ReadFileBytes(MaintPath()), "v2");
  EXPECT_EQ(Listing(MaintPath().parent_path()), std::vector<std::string>{"DailyMaint.cmd"});
}

TEST_F(FileTargetTest, CasRefusesChangedFileAndChangesNothing) {
  WriteFileBytes(MaintPath(), "what the plan saw");
  const Value seen = FileOf("what the plan saw");
  WriteFileBytes(MaintPath(), "someone edited it");
  Status s = files_.WriteContent(Maint(), seen, std::string("plan output"));
  ASSERT_TRUE(s.Is(StatusCode::kConflict)) << s.ToString();
  EXPECT_NE(s.message().find("DailyMaint.cmd"), std::string::npos);
  EXPECT_NE(s.message().find(Sha256Hex("what the plan saw").substr(0, 8)), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find(Sha256Hex("someone edited it").substr(0, 8)), std::string::npos)
      << s.message();
  EXPECT_EQ(ReadFileBytes(MaintPath()), "someone edited it");
  // Same hash but a lying size is a different value too.
  Status size = files_.WriteContent(
      Maint(), Value::File(Sha256Hex("someone edited it"), 3), std::string("x"));
  EXPECT_TRUE(size.Is(StatusCode::kConflict)) << size.ToString();
  // Deleting is guarded the same way.
  EXPECT_TRUE(files_.WriteContent(Maint(), seen, std::nullopt).Is(StatusCode::kConflict));
  EXPECT_TRUE(fs::exists(MaintPath()));
  // A non-file expected value is bad input.
  EXPECT_TRUE(files_.WriteContent(Maint(), Value::Text("x"), std::string("y"))
                  .Is(StatusCode::kInvalidInput));
  EXPECT_EQ(Listing(MaintPath().parent_path()), std::vector<std::string>{"DailyMaint.cmd"});
}

TEST_F(FileTargetTest, CreatesFileAndParentsWhenExpectedAbsent) {
  const Resource r = Resource::File("SERVER1", "C:\\Program Files\\Connected\\SSWS\\new\\cfg.ini");
  Status s = files_.WriteContent(r, Value::Absent(), std::string("a=1\r\n"));
  ASSERT_TRUE(s.ok()) << s.ToString();
  const fs::path p = root_ / "C" / "Program Files" / "Connected" / "SSWS" / "new" / "cfg.ini";
  EXPECT_EQ(ReadFileBytes(p), "a=1\r\n");
  const fs::perms owner_rw = fs::perms::owner_read | fs::perms::owner_write;
  EXPECT_EQ(fs::status(p).permissions() & owner_rw, owner_rw);  // owner can read and write
  // Creating again with "absent" expected is now a conflict.
  Status again = files_.WriteContent(r, Value::Absent(), std::string("a=2\r\n"));
  EXPECT_TRUE(again.Is(StatusCode::kConflict)) << again.ToString();
  EXPECT_EQ(ReadFileBytes(p), "a=1\r\n");
  // An empty file is not absent.
  const Resource empty = Resource::File("SERVER1", "C:\\empty.txt");
  ASSERT_TRUE(files_.WriteContent(empty, Value::Absent(), std::string()).ok());
  auto v = files_.Read(empty);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, FileOf(""));
  EXPECT_FALSE(v->absent());
}

TEST_F(FileTargetTest, DeletesWhenContentIsNullopt) {
  WriteFileBytes(MaintPath(), "bye");
  Status s = files_.WriteContent(Maint(), FileOf("bye"), std::nullopt);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(fs::exists(MaintPath()));
  // Deleting something already absent, when absent was expected, is a no-op.
  EXPECT_TRUE(files_.WriteContent(Maint(), Value::Absent(), std::nullopt).ok());
  // Expecting a file that is gone is a conflict.
  EXPECT_TRUE(files_.WriteContent(Maint(), FileOf("bye"), std::nullopt).Is(StatusCode::kConflict));
  EXPECT_TRUE(Listing(MaintPath().parent_path()).empty());
}

}  // namespace
}  // namespace tidemark::targets
