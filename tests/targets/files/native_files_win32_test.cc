// The native files backend (FileTarget::Native over durable_file_win32.cc)
// against real Windows files (Wine's, under the Windows test run): content
// byte-exact with CRLF as cmd's `type` prints it, names matched without case
// by the file system, attributes kept across the atomic replace,
// a file held open without sharing refused as a clear I/O error that leaves
// the file and the journal resumable.
#include <aclapi.h>
#include <gtest/gtest.h>
#include <sddl.h>
#include <windows.h>

#include <string>
#include <vector>

#include "engine/targets/backends.h"
#include "engine/targets/file_target.h"
#include "store/sha256.h"
#include "store/win32_text.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

using tidemark::testing::CliResult;
using tidemark::testing::RunProgram;
using tidemark::testing::RunTidemark;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

Value FileValue(const std::string& content) {
  return Value::File(Sha256Hex(content), static_cast<int64_t>(content.size()));
}

// The names in `folder` (Windows path), as FindFirstFileW lists them.
std::vector<std::string> List(const std::string& folder) {
  std::vector<std::string> out;
  WIN32_FIND_DATAW fd;
  HANDLE h = FindFirstFileW(Utf8ToWide(folder + "\\*").c_str(), &fd);
  if (h == INVALID_HANDLE_VALUE) return out;
  do {
    const std::string name = WideToUtf8(fd.cFileName);
    if (name != "." && name != "..") out.push_back(name);
  } while (FindNextFileW(h, &fd));
  FindClose(h);
  return out;
}

class NativeFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "C:\\TidemarkTest-" + std::to_string(GetCurrentProcessId()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    RunProgram({"cmd", "/c", "rmdir", "/s", "/q", dir_});
    ASSERT_TRUE(CreateDirectoryW(Utf8ToWide(dir_).c_str(), nullptr)) << dir_;
  }
  void TearDown() override { RunProgram({"cmd", "/c", "rmdir", "/s", "/q", dir_}); }

  Resource File(const std::string& name) const { return Resource::File("S1", dir_ + "\\" + name); }
  // Writes through a different API than the backend's (the C runtime).
  void Put(const std::string& name, const std::string& content) const {
    WriteFileBytes(std::filesystem::path(Utf8ToWide(dir_ + "\\" + name)), content);
  }
  // cmd's `type`, which prints the bytes as they are.
  static std::string Type(const std::string& path) {
    CliResult r = RunProgram({"cmd", "/c", "type", path});
    EXPECT_EQ(r.exit_code, 0) << path << r.err;
    return r.out;
  }

  std::string dir_;
  FileTarget files_ = FileTarget::Native("S1", "");
};

TEST_F(NativeFilesTest, ReplacesContentByteExactWithCrlfKept) {
  const std::string before = "@echo off\r\nset OSQL=C:\\Program Files\\100\\OSQL.EXE\r\n";
  const std::string after = "@echo off\r\nset OSQL=C:\\Program Files\\130\\OSQL.EXE\r\nlast\n\r";
  Put("DailyMaint.cmd", before);
  auto read = files_.ReadContent(File("DailyMaint.cmd"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ(**read, before);

  ASSERT_TRUE(files_.WriteContent(File("DailyMaint.cmd"), FileValue(before), after).ok());
  EXPECT_EQ(Type(dir_ + "\\DailyMaint.cmd"), after);
  EXPECT_EQ(List(dir_), std::vector<std::string>{"DailyMaint.cmd"});  // no temp file left

  // A new file in a new folder; then deleted.
  const Resource fresh = File("New Folder\\fresh.txt");
  ASSERT_TRUE(files_.WriteContent(fresh, Value::Absent(), std::string("x\r\n")).ok());
  EXPECT_EQ(Type(dir_ + "\\New Folder\\fresh.txt"), "x\r\n");
  ASSERT_TRUE(files_.WriteContent(fresh, FileValue("x\r\n"), std::nullopt).ok());
  EXPECT_EQ(files_.Read(fresh).value(), Value::Absent());
}

TEST_F(NativeFilesTest, NamesMatchWithoutCaseAndKeepTheDiskSpelling) {
  Put("DailyMaint.cmd", "old\r\n");
  const Resource other_case = Resource::File("S1", dir_ + "\\DAILYMAINT.CMD");
  EXPECT_EQ(files_.Read(other_case).value(), FileValue("old\r\n"));
  ASSERT_TRUE(files_.WriteContent(other_case, FileValue("old\r\n"), std::string("new\r\n")).ok());
  EXPECT_EQ(List(dir_), std::vector<std::string>{"DailyMaint.cmd"});
  EXPECT_EQ(Type(dir_ + "\\DailyMaint.cmd"), "new\r\n");

  auto listed = files_.Enumerate(dir_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].resource, File("DailyMaint.cmd"));
  EXPECT_EQ((*listed)[0].content, "new\r\n");
}

TEST_F(NativeFilesTest, UnicodeNamesRoundTrip) {
  const std::string name =
      "Gr\xc3\xb6\xc3\x9f"
      "e \xe2\x9c\x93.txt";
  ASSERT_TRUE(files_.WriteContent(File(name), Value::Absent(), std::string("\xef\xbb\xbfx")).ok());
  EXPECT_EQ(List(dir_), std::vector<std::string>{name});
  auto listed = files_.Enumerate(dir_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].resource, File(name));
}

// The ACL is ReplaceFileW's to keep on Windows; Wine shows a file's DACL as
// derived from its Unix mode bits and cannot prove it (see the README table).
TEST_F(NativeFilesTest, ReplaceKeepsTheAttributes) {
  Put("Weekly.cmd", "old\r\n");
  const std::string path = dir_ + "\\Weekly.cmd";
  const std::wstring wide = Utf8ToWide(path);
  ASSERT_TRUE(SetFileAttributesW(wide.c_str(), FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_ARCHIVE));
  ASSERT_TRUE(GetFileAttributesW(wide.c_str()) & FILE_ATTRIBUTE_HIDDEN);

  ASSERT_TRUE(
      files_.WriteContent(File("Weekly.cmd"), FileValue("old\r\n"), std::string("new\r\n")).ok());
  EXPECT_EQ(Type(path), "new\r\n");
  EXPECT_TRUE(GetFileAttributesW(wide.c_str()) & FILE_ATTRIBUTE_HIDDEN);
  CliResult attrib = RunProgram({"attrib", path});  // Windows' own reader of the attributes
  EXPECT_NE(attrib.out.find('H'), std::string::npos) << attrib.out << attrib.err;
}

TEST_F(NativeFilesTest, ACompareAndSetConflictChangesNothing) {
  Put("a.txt", "changed by someone else\r\n");
  Status s = files_.WriteContent(File("a.txt"), FileValue("what the plan saw\r\n"),
                                 std::string("new\r\n"));
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(Type(dir_ + "\\a.txt"), "changed by someone else\r\n");
}

TEST_F(NativeFilesTest, AFileHeldOpenIsAClearIoErrorFoundBeforeTheFirstChange) {
  Put("DailyMaint.cmd", "OSQL 100\r\n");
  const std::string path = dir_ + "\\DailyMaint.cmd";
  HANDLE held = CreateFileW(Utf8ToWide(path).c_str(), GENERIC_READ, 0, nullptr, OPEN_EXISTING,
                            FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(held, INVALID_HANDLE_VALUE);
  Status s = files_.WriteContent(File("DailyMaint.cmd"), FileValue("OSQL 100\r\n"),
                                 std::string("OSQL 130\r\n"));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("in use by another process"), std::string::npos) << s.ToString();

  // Through the engine: apply's preflight finds the file in use before the
  // first change (exit 2, nothing recorded); once it is closed apply runs
  // and rollback restores it.
  TempDir dir;
  WriteFileBytes(dir / "site.yaml", "name: native\nhosts:\n  S1:\n    files: { native: . }\n");
  WriteFileBytes(dir / "plan.yaml",
                 "name: scripts\nsteps:\n  - id: osql\n    title: OSQL path\n    actions:\n"
                 "      - file.replace: { host: S1, path: '" +
                     path + "', from: 'OSQL 100', to: 'OSQL 130' }\n");
  const std::string journal = (dir / "journal").string();
  const std::vector<std::string> apply_args = {"apply", (dir / "plan.yaml").string(), "--env",
                                               (dir / "site.yaml").string(), "--yes", "--journal", journal};
  CliResult apply = RunTidemark(apply_args);
  EXPECT_EQ(apply.exit_code, 2) << apply.out << apply.err;
  EXPECT_NE((apply.out + apply.err).find("in use by another process"), std::string::npos)
      << apply.out << apply.err;
  EXPECT_NE(apply.err.find("nothing was changed"), std::string::npos) << apply.err;
  CloseHandle(held);
  EXPECT_EQ(Type(path), "OSQL 100\r\n");
  EXPECT_EQ(List(dir_), std::vector<std::string>{"DailyMaint.cmd"});

  apply = RunTidemark(apply_args);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(Type(path), "OSQL 130\r\n");
  CliResult verify = RunTidemark({"verify", "--journal", journal});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  CliResult rollback = RunTidemark({"rollback", "--journal", journal});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(Type(path), "OSQL 100\r\n");
}

TEST(NativeFilesPaths, AnotherComputerIsReachedThroughItsAdminShare) {
  FileTarget remote = FileTarget::Native("S2", "SERVER2");
  auto mapped = remote.Map("d:/Program Files/DataCenter\\DailyMaint.cmd");
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_EQ(mapped->wstring(), L"\\\\SERVER2\\D$\\Program Files\\DataCenter\\DailyMaint.cmd");
  EXPECT_EQ(remote.Map("\\\\SERVER2\\C$\\x").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(remote.Map("C:\\a\\..\\b").status().code(), StatusCode::kInvalidInput);

  // This computer's own name means its local drives.
  wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
  ASSERT_TRUE(GetComputerNameW(name, &len));
  const std::string self = WideToUtf8(std::wstring_view(name, len));
  auto local = MakeFileTarget(self, NativeFiles{});
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  EXPECT_EQ((*local)->Map("C:\\x\\y").value().wstring(), L"C:\\x\\y");
  auto other = MakeFileTarget("SERVER2", NativeFiles{});
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ((*other)->Map("C:\\x").value().wstring(), L"\\\\SERVER2\\C$\\x");
}

}  // namespace
}  // namespace tidemark::targets
