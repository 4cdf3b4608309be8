// Why a journal does not open, classified by RocksDB's status: a full disk is
// an I/O error (exit 1) naming the journal and "no space", never exit 6.
#include <gtest/gtest.h>
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

}  // namespace
}  // namespace tidemark::store
