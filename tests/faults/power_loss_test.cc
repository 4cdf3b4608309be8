// Power loss: a RocksDB FileSystemWrapper (PowerLossFs) that remembers how much
// of every file it wrote has been synced and, at a simulated power cut, freezes
// all writes and truncates each file to its synced length. Every event whose
// Append was acknowledged must survive the cut and the chain must verify.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include "store/event_log.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

using testing::TempDir;

class PowerLossFs;

// A writable file that reports its appends and syncs to PowerLossFs.
class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file, PowerLossFs* fs, std::string name)
      : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    (void)info;
    return Append(data, o, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice&, uint64_t, const rocksdb::IOOptions&,
                                     rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("PowerLossFs: positioned append");
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RangeSync(uint64_t, uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::OK();  // not a durability point
  }
  bool use_direct_io() const override { return false; }

 private:
  PowerLossFs* fs_;
  std::string name_;
};

class PowerLossFs : public rocksdb::FileSystemWrapper {
 public:
  PowerLossFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerLossFs"; }

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& opts,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (Crashed()) return rocksdb::IOStatus::IOError("power is off");
    std::unique_ptr<rocksdb::FSWritableFile> inner;
    rocksdb::IOStatus s = target()->NewWritableFile(f, opts, &inner, dbg);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> l(mu_);
      files_[f] = FileState{};
    }
    *r = std::make_unique<TrackedFile>(std::move(inner), this, f);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string&, const rocksdb::FileOptions&,
                                       std::unique_ptr<rocksdb::FSWritableFile>*,
                                       rocksdb::IODebugContext*) override {
    return rocksdb::IOStatus::NotSupported("PowerLossFs: reopen");
  }
  rocksdb::IOStatus RenameFile(const std::string& src, const std::string& dst, const rocksdb::IOOptions& o,
                               rocksdb::IODebugContext* dbg) override {
    if (Crashed()) return rocksdb::IOStatus::IOError("power is off");
    rocksdb::IOStatus s = target()->RenameFile(src, dst, o, dbg);
    std::lock_guard<std::mutex> l(mu_);
    if (s.ok() && files_.count(src)) {
      files_[dst] = files_[src];
      files_.erase(src);
    }
    return s;
  }

  void OnAppend(const std::string& f, size_t n) {
    std::lock_guard<std::mutex> l(mu_);
    files_[f].size += n;
  }
  rocksdb::IOStatus OnSync(const std::string& f) {
    std::lock_guard<std::mutex> l(mu_);
    if (crashed_) return rocksdb::IOStatus::IOError("power is off");
    if (fail_next_sync_) {
      fail_next_sync_ = false;
      return rocksdb::IOStatus::IOError("injected sync failure");
    }
    files_[f].synced = files_[f].size;
    return rocksdb::IOStatus::OK();
  }
  bool Crashed() {
    std::lock_guard<std::mutex> l(mu_);
    return crashed_;
  }
  void FailNextSync() {
    std::lock_guard<std::mutex> l(mu_);
    fail_next_sync_ = true;
  }
  // The power cut: from now on every write and sync fails.
  void CutPower() {
    std::lock_guard<std::mutex> l(mu_);
    crashed_ = true;
  }
  // After the process "died": truncates every file to its synced length.
  // Returns the number of bytes dropped.
  uint64_t DropUnsyncedData() {
    std::lock_guard<std::mutex> l(mu_);
    uint64_t dropped = 0;
    for (const auto& [name, st] : files_) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(name, ec);
      if (ec) continue;
      if (size > st.synced) {
        dropped += size - st.synced;
        std::filesystem::resize_file(name, st.synced, ec);
        EXPECT_FALSE(ec) << name << ": " << ec.message();
      }
    }
    files_.clear();
    crashed_ = false;
    return dropped;
  }

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  std::mutex mu_;
  std::map<std::string, FileState> files_;
  bool crashed_ = false;
  bool fail_next_sync_ = false;
};

rocksdb::IOStatus TrackedFile::Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                                      rocksdb::IODebugContext* dbg) {
  if (fs_->Crashed()) return rocksdb::IOStatus::IOError("power is off");
  rocksdb::IOStatus s = target()->Append(data, o, dbg);
  if (s.ok()) fs_->OnAppend(name_, data.size());
  return s;
}
rocksdb::IOStatus TrackedFile::Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  if (fs_->Crashed()) return rocksdb::IOStatus::IOError("power is off");
  rocksdb::IOStatus s = target()->Sync(o, dbg);
  return s.ok() ? fs_->OnSync(name_) : s;
}
rocksdb::IOStatus TrackedFile::Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) {
  if (fs_->Crashed()) return rocksdb::IOStatus::IOError("power is off");
  rocksdb::IOStatus s = target()->Fsync(o, dbg);
  return s.ok() ? fs_->OnSync(name_) : s;
}

Event NoteEvent(const std::string& text) {
  Event e;
  e.body = Note{text};
  return e;
}

// Checks that seqs 1..acked hold the notes "n1".."n<acked>" and the chain verifies.
void ExpectSurvivors(const std::filesystem::path& dir, uint64_t acked, uint64_t max_head) {
  auto log = store::EventLog::Open(dir, store::OpenMode::kWrite);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_GE(log.value()->head().seq, acked);
  EXPECT_LE(log.value()->head().seq, max_head);
  for (uint64_t seq = 1; seq <= acked; ++seq) {
    auto e = log.value()->Get(seq);
    ASSERT_TRUE(e.ok()) << "acknowledged event " << seq << " lost: " << e.status().ToString();
    EXPECT_EQ(std::get<Note>(e->event.body).text, "n" + std::to_string(seq));
  }
  auto report = log.value()->Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  // The journal takes new events after the cut.
  auto next = log.value()->Append(NoteEvent("after"));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next.value(), log.value()->head().seq);
}

TEST(PowerLossTest, EveryAcknowledgedEventSurvivesACutAndTheChainVerifies) {
  int cuts = 0;
  for (uint64_t count : {1u, 2u, 7u, 40u, 300u}) {
    SCOPED_TRACE("events " + std::to_string(count));
    TempDir tmp;
    const auto dir = tmp / "journal";
    auto fs = std::make_shared<PowerLossFs>();
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    {
      auto log = store::EventLog::Open(dir, store::OpenMode::kCreate, env.get());
      ASSERT_TRUE(log.ok()) << log.status().ToString();
      for (uint64_t i = 1; i <= count; ++i) {
        auto seq = log.value()->Append(NoteEvent("n" + std::to_string(i)), {std::string(i * 37, 'b')});
        ASSERT_TRUE(seq.ok()) << seq.status().ToString();
        ASSERT_EQ(seq.value(), i);
      }
      // Unacknowledged data in flight at the cut: an unsynced raw write.
      rocksdb::WriteOptions wo;
      wo.sync = false;
      ASSERT_TRUE(log.value()->raw_db()->Put(wo, log.value()->events_cf(), "zz-unsynced", std::string(4096, 'u')).ok());
      fs->CutPower();
    }
    EXPECT_GT(fs->DropUnsyncedData(), 0u) << "the cut dropped nothing: the test would prove nothing";
    ++cuts;
    ExpectSurvivors(dir, count, count);
    auto log = store::EventLog::Open(dir, store::OpenMode::kReadOnly);
    ASSERT_TRUE(log.ok());
    std::string v;
    EXPECT_TRUE(log.value()->raw_db()->Get(rocksdb::ReadOptions(), log.value()->events_cf(), "zz-unsynced", &v)
                    .IsNotFound());
  }
  std::printf("[power-loss] %d cuts, every acknowledged event survived\n", cuts);
}

TEST(PowerLossTest, FailedSyncIsIndeterminateAndTheJournalStaysConsistent) {
  for (uint64_t count : {3u, 25u}) {
    SCOPED_TRACE("events " + std::to_string(count));
    TempDir tmp;
    const auto dir = tmp / "journal";
    auto fs = std::make_shared<PowerLossFs>();
    std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
    {
      auto log = store::EventLog::Open(dir, store::OpenMode::kCreate, env.get());
      ASSERT_TRUE(log.ok()) << log.status().ToString();
      for (uint64_t i = 1; i <= count; ++i) {
        ASSERT_TRUE(log.value()->Append(NoteEvent("n" + std::to_string(i))).ok());
      }
      fs->FailNextSync();
      auto failed = log.value()->Append(NoteEvent("n" + std::to_string(count + 1)));
      EXPECT_FALSE(failed.ok()) << "a failed sync was acknowledged";
      // No retry in place: the log refuses further appends after an indeterminate one.
      auto again = log.value()->Append(NoteEvent("n" + std::to_string(count + 1)));
      EXPECT_FALSE(again.ok()) << "append after a failed sync succeeded in place";
      fs->CutPower();
    }
    fs->DropUnsyncedData();
    // The failed event may or may not be there; the acknowledged ones are.
    ExpectSurvivors(dir, count, count + 1);
  }
}

}  // namespace
}  // namespace tidemark::faults
