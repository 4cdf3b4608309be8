// EventLog against a real RocksDB in a temp dir: appends, the chain, indexes,
// the writer lock across processes and reopening after kill -9.
#include "store/event_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include "store/event_codec.h"
#include "store/sha256.h"
#include "store/system_info.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

using tidemark::testing::TempDir;

Event NoteEvent(const std::string& text, const std::string& run = "") {
  Event e;
  e.run = run;
  e.body = Note{text};
  return e;
}

Event IntentEvent(const std::string& run, const Resource& r, int i) {
  Event e;
  e.run = run;
  e.step = "s" + std::to_string(i);
  e.body = Intent{r, Value::Integer(i), Value::Integer(i + 1), "sql.update", 0, false};
  return e;
}

std::unique_ptr<EventLog> Create(const TempDir& dir) {
  auto log = EventLog::Open(dir / "j", OpenMode::kCreate);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

TEST(EventLogTest, AppendAssignsGapFreeSeqsAndChainsHashes) {
  TempDir dir;
  auto log = Create(dir);
  EXPECT_EQ(log->head().seq, 0u);
  for (int i = 1; i <= 5; ++i) {
    auto seq = log->Append(NoteEvent("n" + std::to_string(i)));
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ(seq.value(), static_cast<uint64_t>(i));
  }
  auto e3 = log->Get(3).value();
  auto e2 = log->Get(2).value();
  EXPECT_EQ(e3.event.prev_hash, e2.hash);
  EXPECT_EQ(std::get<Note>(e3.event.body).text, "n3");
  EXPECT_FALSE(e3.event.host.empty());
  EXPECT_FALSE(e3.event.user.empty());
  EXPECT_GT(e3.event.time_ns, 0);
  auto report = log->Verify().value();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.head.seq, 5u);
  EXPECT_EQ(report.head.hash, log->head().hash);
  EXPECT_EQ(log->Get(6).status().code(), StatusCode::kNotFound);
}

TEST(EventLogTest, ReopenKeepsHeadAndJournalId) {
  TempDir dir;
  std::string id, hash;
  {
    auto log = Create(dir);
    ASSERT_TRUE(log->Append(NoteEvent("a")).ok());
    id = log->journal_id();
    hash = log->head().hash;
  }
  auto log = EventLog::Open(dir / "j", OpenMode::kReadOnly).value();
  EXPECT_EQ(log->journal_id(), id);
  EXPECT_EQ(log->head().seq, 1u);
  EXPECT_EQ(log->head().hash, hash);
  EXPECT_FALSE(log->Append(NoteEvent("b")).ok());  // read-only
}

TEST(EventLogTest, MissingJournalIsNotFound) {
  TempDir dir;
  auto log = EventLog::Open(dir / "nope", OpenMode::kReadOnly);
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(dir / "nope"));
}

TEST(EventLogTest, IndexesFindByResourceRunAndKind) {
  TempDir dir;
  auto log = Create(dir);
  const Resource a = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Outflow", "DB_PreferedRegistry");
  const Resource b = Resource::File("S1", "C:\\DataCenter\\DailyMaint.cmd");
  ASSERT_TRUE(log->Append(IntentEvent("r1", a, 1)).ok());
  ASSERT_TRUE(log->Append(IntentEvent("r1", b, 2)).ok());
  ASSERT_TRUE(log->Append(NoteEvent("between")).ok());
  ASSERT_TRUE(log->Append(IntentEvent("r2", a, 3)).ok());
  // Case-insensitive identity: the same value spelled differently.
  const Resource a2 =
      Resource::RegistryValue("s1", "HKEY_LOCAL_MACHINE\\software\\outflow", "db_preferedregistry");
  EXPECT_EQ(log->SeqsForResource(a2.Identity()).value(), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(log->SeqsForResource(b.Identity()).value(), (std::vector<uint64_t>{2}));
  EXPECT_EQ(log->SeqsForRun("r1").value(), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(log->SeqsForKind("note").value(), (std::vector<uint64_t>{3}));
  EXPECT_EQ(log->ResourceIdentities().value().size(), 2u);
}

TEST(EventLogTest, BatchAppendAndBlobs) {
  TempDir dir;
  auto log = Create(dir);
  std::vector<Event> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(NoteEvent("o" + std::to_string(i), "r"));
  const std::string blob = "REM DailyMaint\r\nOSQL.EXE\r\n";
  auto last = log->AppendBatch(std::move(batch), {blob});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.value(), 100u);
  EXPECT_EQ(log->GetBlob(Sha256Hex(blob)).value().value(), blob);
  EXPECT_FALSE(log->GetBlob(Sha256Hex("other")).value().has_value());
  EXPECT_TRUE(log->Verify().value().ok);
}

TEST(EventLogTest, ScanForwardAndBackward) {
  TempDir dir;
  auto log = Create(dir);
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(log->Append(NoteEvent(std::to_string(i))).ok());
  std::vector<uint64_t> seen;
  ASSERT_TRUE(log->Scan(3, 6, false, [&](const StoredEvent& e) {
                   seen.push_back(e.event.seq);
                   return true;
                 }).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{3, 4, 5, 6}));
  seen.clear();
  ASSERT_TRUE(log->Scan(1, 0, true, [&](const StoredEvent& e) {
                   seen.push_back(e.event.seq);
                   return seen.size() < 3;
                 }).ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{10, 9, 8}));
}

// Tampering through the RocksDB API, bypassing the chain.
class ChainTamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = Create(dir_);
    for (int i = 1; i <= 6; ++i) ASSERT_TRUE(log->Append(NoteEvent("n" + std::to_string(i))).ok());
  }
  std::string RawGet(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t seq) {
    std::string v;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), cf, SeqKey(seq), &v).ok());
    return v;
  }
  uint64_t FirstBad() {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kReadOnly);
    if (!log.ok()) {
      EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
      return 0;
    }
    auto report = log.value()->Verify().value();
    EXPECT_FALSE(report.ok);
    return report.first_bad_seq;
  }
  TempDir dir_;
};

TEST_F(ChainTamperTest, EditedEventIsDetectedAtItsSeq) {
  {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kWrite).value();
    std::string v = RawGet(log->raw_db(), log->events_cf(), 3);
    auto e = DecodeEvent(std::string_view(v).substr(32)).value();
    std::get<Note>(e.body).text = "forged";
    ASSERT_TRUE(log->raw_db()
                    ->Put(rocksdb::WriteOptions(), log->events_cf(), SeqKey(3),
                          v.substr(0, 32) + EncodeEvent(e))
                    .ok());
  }
  EXPECT_EQ(FirstBad(), 3u);
}

TEST_F(ChainTamperTest, EditedEventWithRecomputedHashIsDetectedAtTheNextLink) {
  {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kWrite).value();
    std::string v = RawGet(log->raw_db(), log->events_cf(), 3);
    auto e = DecodeEvent(std::string_view(v).substr(32)).value();
    std::get<Note>(e.body).text = "forged";
    const std::string bytes = EncodeEvent(e);
    const std::string prev = RawGet(log->raw_db(), log->events_cf(), 2).substr(0, 32);
    ASSERT_TRUE(log->raw_db()
                    ->Put(rocksdb::WriteOptions(), log->events_cf(), SeqKey(3),
                          EventLog::ChainHash(prev, 3, bytes) + bytes)
                    .ok());
  }
  EXPECT_EQ(FirstBad(), 4u);
}

TEST_F(ChainTamperTest, DeletedEventIsDetected) {
  {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kWrite).value();
    ASSERT_TRUE(log->raw_db()->Delete(rocksdb::WriteOptions(), log->events_cf(), SeqKey(4)).ok());
  }
  EXPECT_EQ(FirstBad(), 4u);
}

TEST_F(ChainTamperTest, SwappedPairIsDetected) {
  {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kWrite).value();
    std::string v2 = RawGet(log->raw_db(), log->events_cf(), 2);
    std::string v3 = RawGet(log->raw_db(), log->events_cf(), 3);
    ASSERT_TRUE(log->raw_db()->Put(rocksdb::WriteOptions(), log->events_cf(), SeqKey(2), v3).ok());
    ASSERT_TRUE(log->raw_db()->Put(rocksdb::WriteOptions(), log->events_cf(), SeqKey(3), v2).ok());
  }
  EXPECT_EQ(FirstBad(), 2u);
}

TEST_F(ChainTamperTest, TruncatedTailIsReportedOnOpen) {
  {
    auto log = EventLog::Open(dir_ / "j", OpenMode::kWrite).value();
    ASSERT_TRUE(log->raw_db()->Delete(rocksdb::WriteOptions(), log->events_cf(), SeqKey(6)).ok());
  }
  auto log = EventLog::Open(dir_ / "j", OpenMode::kReadOnly);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kCorruption);
  EXPECT_NE(log.status().message().find("seq 6"), std::string::npos) << log.status().message();
}

TEST(EventLogTest, AnotherTidemarkProcessIsRefusedWhileThisOneWrites) {
  TempDir dir;
  auto log = Create(dir);
  auto r = testing::RunTidemarkProcess({"note", "second writer", "--journal", (dir / "j").string()});
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(LocalProcessId())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("on host " + LocalHostName()), std::string::npos) << r.err;
  log.reset();
  auto again = testing::RunTidemarkProcess({"note", "after", "--journal", (dir / "j").string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
}

TEST(EventLogTest, HundredThousandEventsReadBackByResourceThroughTheIndex) {
  TempDir dir;
  auto log = Create(dir);
  const int kEvents = 100000, kResources = 1000, kBatch = 5000;
  std::vector<Event> batch;
  for (int i = 0; i < kEvents; ++i) {
    batch.push_back(IntentEvent("bulk", Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\T",
                                                                "v" + std::to_string(i % kResources)),
                                i));
    if (batch.size() == kBatch) {
      ASSERT_TRUE(log->AppendBatch(std::move(batch)).ok());
      batch.clear();
    }
  }
  rocksdb::PerfContext* perf = rocksdb::get_perf_context();
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  perf->Reset();
  const Resource target = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\T", "v123");
  auto seqs = log->SeqsForResource(target.Identity()).value();
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kEvents / kResources));
  for (uint64_t seq : seqs) {
    auto e = log->Get(seq).value();
    EXPECT_EQ(e.event.GetResource()->Identity(), target.Identity());
  }
  // Through the index: RocksDB stepped over about as many keys as matched,
  // not over the 100,000 events.
  const uint64_t stepped = perf->internal_key_skipped_count + perf->next_on_memtable_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  EXPECT_LT(stepped, 5000u) << "index lookup touched " << stepped << " keys";
}

}  // namespace
}  // namespace tidemark::store
