// Scans of real files, and Diff of two images: modified, created and deleted
// resources, identity order, and speed (process services: scan_posix_test.cc).
#include "snapshots/scan.h"

#include <chrono>
#include <filesystem>
#include <gtest/gtest.h>

#include "store/sha256.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::snapshots {
namespace {

namespace fs = std::filesystem;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

Value FileOf(const std::string& content) {
  return Value::File(Sha256Hex(content), static_cast<int64_t>(content.size()));
}

TEST(ScanTest, FolderScanDiffFindsModifiedCreatedAndDeletedFiles) {
  TempDir tmp;
  const fs::path dc = tmp / "C" / "Program Files" / "DataCenter";
  WriteFileBytes(dc / "DailyMaint.cmd", "100\\Tools\\BINN\r\n");
  WriteFileBytes(dc / "WeeklyMaint.cmd", "weekly\r\n");
  WriteFileBytes(dc / "old.log", "old");
  targets::FileTarget files("SERVER1", tmp.path());

  ScanImage before;
  ASSERT_TRUE(ScanFolder(files, "C:\\Program Files\\DataCenter", before).ok());
  ASSERT_EQ(before.size(), 3u);

  // The "opaque step".
  WriteFileBytes(dc / "DailyMaint.cmd", "130\\Tools\\BINN\r\n");
  fs::remove(dc / "old.log");
  WriteFileBytes(dc / "bin" / "new.dll", std::string("MZ\0\x90", 4));

  ScanImage after;
  ASSERT_TRUE(ScanFolder(files, "c:\\program files\\datacenter", after).ok());
  const std::vector<Change> changes = Diff(before, after);
  ASSERT_EQ(changes.size(), 3u);
  // Identity order: ...\bin\new.dll < ...\dailymaint.cmd < ...\old.log
  EXPECT_EQ(changes[0].resource.path, "C:\\Program Files\\DataCenter\\bin\\new.dll");
  EXPECT_TRUE(changes[0].before.absent());
  EXPECT_EQ(changes[0].after, FileOf(std::string("MZ\0\x90", 4)));
  EXPECT_FALSE(changes[0].before_content.has_value());
  EXPECT_EQ(changes[0].after_content, std::string("MZ\0\x90", 4));

  EXPECT_EQ(changes[1].resource, Resource::File("server1", "C:\\Program Files\\DataCenter\\DailyMaint.cmd"));
  EXPECT_EQ(changes[1].before, FileOf("100\\Tools\\BINN\r\n"));
  EXPECT_EQ(changes[1].after, FileOf("130\\Tools\\BINN\r\n"));
  EXPECT_EQ(changes[1].before_content, "100\\Tools\\BINN\r\n");
  EXPECT_EQ(changes[1].after_content, "130\\Tools\\BINN\r\n");

  EXPECT_EQ(changes[2].resource.path, "C:\\Program Files\\DataCenter\\old.log");
  EXPECT_EQ(changes[2].before, FileOf("old"));
  EXPECT_TRUE(changes[2].after.absent());
  EXPECT_EQ(changes[2].before_content, "old");
  EXPECT_FALSE(changes[2].after_content.has_value());

  // Nothing changed → empty diff; a missing folder scans as empty.
  EXPECT_TRUE(Diff(after, after).empty());
  ScanImage none;
  ASSERT_TRUE(ScanFolder(files, "D:\\Nowhere", none).ok());
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(ScanFolder(files, "relative", none).ok());
}

TEST(ScanTest, AddEntriesReplacesSameIdentityAndDiffsRegistryValues) {
  ScanImage before;
  AddEntries({{Resource::RegistryValue("SERVER1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow",
                                       "DB_PreferedRegistry"),
               Value::RegString("SERVER1")},
              {Resource::RegistryKey("SERVER1", "HKLM\\SOFTWARE\\Connected\\MAPI"), Value::Key()}},
             before);
  ScanImage after;
  AddEntries({{Resource::RegistryValue("SERVER1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow",
                                       "DB_PreferedRegistry"),
               Value::RegString("SERVER1")}},
             after);
  // Same identity spelled differently replaces the entry.
  AddEntries({{Resource::RegistryValue("server1", "HKEY_LOCAL_MACHINE\\software\\wow6432node\\outflow",
                                       "db_preferedregistry"),
               Value::RegString("SERVER2")}},
             after);
  ASSERT_EQ(after.size(), 1u);
  const std::vector<Change> changes = Diff(before, after);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].resource.kind, ResourceKind::kRegistryKey);  // "regkey:" < "regval:"
  EXPECT_EQ(changes[0].before, Value::Key());
  EXPECT_TRUE(changes[0].after.absent());
  EXPECT_EQ(changes[1].before, Value::RegString("SERVER1"));
  EXPECT_EQ(changes[1].after, Value::RegString("SERVER2"));
}

TEST(ScanTest, DiffOf50000EntriesIsFast) {
  ScanImage before, after;
  for (int i = 0; i < 50000; ++i) {
    char name[64];
    std::snprintf(name, sizeof(name), "C:\\Data\\dir%03d\\file%05d.dat", i % 100, i);
    const Resource r = Resource::File("SERVER1", name);
    const Value v = Value::File(Sha256Hex(name), i);
    before.emplace(r.Identity(), ScanEntry{r, v, std::nullopt});
    if (i % 1000 == 1) continue;  // 50 deleted
    const Value changed = (i % 1000 == 2) ? Value::File(Sha256Hex("x"), i) : v;  // 50 modified
    after.emplace(r.Identity(), ScanEntry{r, changed, std::nullopt});
  }
  for (int i = 0; i < 50; ++i) {  // 50 created
    const Resource r = Resource::File("SERVER1", "C:\\Data\\new\\n" + std::to_string(i));
    after.emplace(r.Identity(), ScanEntry{r, Value::File(Sha256Hex("n"), 1), std::nullopt});
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Change> changes = Diff(before, after);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(changes.size(), 150u);
  int created = 0, deleted = 0, modified = 0;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) {
      EXPECT_LT(changes[i - 1].resource.Identity(), changes[i].resource.Identity());
    }
    if (changes[i].before.absent()) {
      ++created;
    } else if (changes[i].after.absent()) {
      ++deleted;
    } else {
      ++modified;
    }
  }
  EXPECT_EQ(created, 50);
  EXPECT_EQ(deleted, 50);
  EXPECT_EQ(modified, 50);
  EXPECT_LT(took, std::chrono::milliseconds(250))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
}

}  // namespace
}  // namespace tidemark::snapshots
