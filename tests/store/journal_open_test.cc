// Why a journal does not open, classified by RocksDB's status: a full disk is
// an I/O error (exit 1) naming the journal and "no space", never exit 6; a
// journal whose creation was interrupted is completed, never called damaged.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>

#include "commands/exit_code.h"
#include "store/event_log.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

using testing::TempDir;

// Fault injection only: every new file fails as on a full disk once armed.
class FullDiskFs : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FullDiskFs"; }
  void Fill() { full_ = true; }
  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* d) override {
    if (full_) return rocksdb::IOStatus::NoSpace("While open a file for appending", f);
    return target()->NewWritableFile(f, o, r, d);
  }

 private:
  std::atomic<bool> full_{false};
};

TEST(JournalOpenTest, FullDiskAtOpenIsAnIoErrorNotCorruption) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  {
    auto log = EventLog::Open(dir, OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Event e;
    e.body = Note{"before the disk filled"};
    ASSERT_TRUE(log.value()->Append(e).ok());
  }
  auto fs = std::make_shared<FullDiskFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  fs->Fill();
  auto log = EventLog::Open(dir, OpenMode::kWrite, env.get());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kIoError) << log.status().ToString();
  EXPECT_EQ(commands::ExitCode(log.status()), 1);
  EXPECT_NE(log.status().message().find("no space"), std::string::npos) << log.status().message();
  EXPECT_NE(log.status().message().find(dir.string()), std::string::npos);
  // Nothing was harmed: with space again the journal opens and holds its event.
  auto again = EventLog::Open(dir, OpenMode::kReadOnly);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again.value()->head().seq, 1u);
}

// What an interrupted in-place creation leaves: RocksDB's files with only some
// column families and no meta record; `event` puts one into "events".
void MakeHalfCreatedJournal(const std::filesystem::path& dir, bool event) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {"default", rocksdb::ColumnFamilyOptions()}, {"events", rocksdb::ColumnFamilyOptions()}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), cfs, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  if (event) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], SeqKey(1), "x").ok());
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
}

TEST(JournalOpenTest, HalfCreatedJournalIsCompletedByAWriterNotCalledDamaged) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeHalfCreatedJournal(dir, /*event=*/false);
  auto reader = EventLog::Open(dir, OpenMode::kReadOnly);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound) << reader.status().ToString();
  EXPECT_NE(reader.status().message().find("tidemark init"), std::string::npos);
  {
    auto writer = EventLog::Open(dir, OpenMode::kWrite);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    EXPECT_EQ(writer.value()->head().seq, 0u);
    Event e;
    e.body = Note{"first"};
    ASSERT_TRUE(writer.value()->Append(e).ok());
  }
  auto again = EventLog::Open(dir, OpenMode::kReadOnly);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again.value()->head().seq, 1u);
  auto report = again.value()->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST(JournalOpenTest, MissingColumnFamiliesBesideEventsAreDamage) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeHalfCreatedJournal(dir, /*event=*/true);
  for (OpenMode mode : {OpenMode::kReadOnly, OpenMode::kWrite, OpenMode::kCreate}) {
    auto log = EventLog::Open(dir, mode);
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.status().code(), StatusCode::kCorruption) << log.status().ToString();
  }
}

TEST(JournalOpenTest, CreationBuildsAsideAndLeavesNothingBeside) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  // An abandoned sibling of a killed creation (its writer lock is free).
  std::filesystem::create_directories(tmp / ".journal.creating-1-2");
  {
    auto log = EventLog::Open(dir, OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
  }
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(tmp.path())) {
    names.push_back(e.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"journal"});
  EXPECT_TRUE(EventLog::Open(dir, OpenMode::kReadOnly).ok());
}

TEST(JournalOpenTest, AnExistingFolderIsUsedInPlaceAndKeepsItsFiles) {
  TempDir tmp;
  // As on a mount point made for the journal: the folder exists, with a file.
  const auto dir = tmp / "mounted";
  std::filesystem::create_directories(dir / "lost+found");
  {
    auto log = EventLog::Open(dir, OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "lost+found"));
  EXPECT_TRUE(std::filesystem::exists(dir / "CURRENT"));
  EXPECT_TRUE(EventLog::Open(dir, OpenMode::kReadOnly).ok());
}

}  // namespace
}  // namespace tidemark::store
