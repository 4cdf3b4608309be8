// Corruption of the journal's files on disk, checked through the CLI: flipped
// bytes in SST and WAL files, a deleted SST, an event rewritten through the
// RocksDB API without the chain, a truncated tail. `tidemark verify` (and opening
// the journal) must exit 6, naming the first bad seq where one is to blame;
// `--expect-head` must catch a truncation.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>

#include "store/event_log.h"
#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::ReadFileBytes;
using testing::RunTidemark;
using testing::TempDir;
using testing::WriteFileBytes;

Event NoteEvent(const std::string& text) {
  Event e;
  e.body = Note{text};
  return e;
}

std::vector<std::string> J(const fs::path& dir, std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(dir.string());
  return args;
}

// Files of `dir` ending in `ext`, largest first.
std::vector<fs::path> FilesWithExt(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ext && fs::file_size(e.path()) > 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  return out;
}

void FlipByte(const fs::path& file, size_t offset) {
  std::string bytes = ReadFileBytes(file);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5A);
  WriteFileBytes(file, bytes);
}

// A journal with `flushed` events in SST files (written by successive
// openings: recovery flushes the previous WAL) followed by `in_wal` events
// that live only in the WAL.
void MakeJournal(const fs::path& dir, int flushed, int in_wal) {
  for (int i = 1; i <= flushed; ++i) {
    auto log = store::EventLog::Open(dir, store::OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE(log.value()->Append(NoteEvent("n" + std::to_string(i)), {std::string(2000, static_cast<char>('a' + (i % 26)))}).ok());
    ASSERT_TRUE(log.value()->raw_db()->Flush(rocksdb::FlushOptions(), log.value()->raw_db()->DefaultColumnFamily()).ok());
    ASSERT_TRUE(log.value()->raw_db()->Flush(rocksdb::FlushOptions(), log.value()->events_cf()).ok());
  }
  auto log = store::EventLog::Open(dir, store::OpenMode::kCreate);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  for (int i = flushed + 1; i <= flushed + in_wal; ++i) {
    ASSERT_TRUE(log.value()->Append(NoteEvent("n" + std::to_string(i))).ok());
  }
}

std::string HeadHash(const fs::path& dir) {
  CliResult r = RunTidemark(J(dir, {"verify", "--json"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const size_t p = r.out.find("\"head_hash\":\"");
  return p == std::string::npos ? "" : r.out.substr(p + 13, 64);
}

TEST(CorruptionTest, FlippedByteInAnSstFailsVerifyWithExitSix) {
  int cases = 0;
  for (double where : {0.1, 0.3, 0.5, 0.7}) {
    TempDir tmp;
    const auto dir = tmp / "journal";
    MakeJournal(dir, 6, 2);
    ASSERT_EQ(RunTidemark(J(dir, {"verify"})).exit_code, 0);
    const auto ssts = FilesWithExt(dir, ".sst");
    ASSERT_FALSE(ssts.empty());
    FlipByte(ssts[0], static_cast<size_t>(static_cast<double>(fs::file_size(ssts[0])) * where));
    CliResult r = RunTidemark(J(dir, {"verify"}));
    EXPECT_EQ(r.exit_code, 6) << "flip at " << where << ": " << r.out << r.err;
    EXPECT_TRUE(r.err.find("INTEGRITY") != std::string::npos || r.err.find("orrupt") != std::string::npos)
        << r.err;
    ++cases;
  }
  std::printf("[corruption] sst flips: %d\n", cases);
}

// A journal whose last writer died (SIGKILL through the TIDEMARK_CRASH_AFTER_SYNCS
// hook) after `syncs` synced appends of a MiniSite apply: its events are still
// only in the WAL (a clean close would have flushed them to SST files).
fs::path CrashedWriterJournal(const TempDir& tmp, int syncs) {
  testing::MiniSite site(tmp.path());
  const auto plan = site.WritePlan("full", testing::MiniSite::FullPlan());
  CliResult r = testing::RunTidemarkProcess(
      WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}),
      {"TIDEMARK_CRASH_AFTER_SYNCS=" + std::to_string(syncs)});
  EXPECT_EQ(r.signal, SIGKILL) << r.out << r.err;
  site.StopServices();
  return site.journal();
}

TEST(CorruptionTest, FlippedByteInTheWalFailsOpeningWithExitSix) {
  int cases = 0;
  for (double where : {0.25, 0.5}) {
    TempDir tmp;
    const fs::path dir = CrashedWriterJournal(tmp, 30);
    const auto wals = FilesWithExt(dir, ".log");
    ASSERT_FALSE(wals.empty());
    ASSERT_GT(fs::file_size(wals[0]), 2000u) << "the events are not in the WAL";
    FlipByte(wals[0], static_cast<size_t>(static_cast<double>(fs::file_size(wals[0])) * where));
    CliResult r = RunTidemark(J(dir, {"verify"}));
    EXPECT_EQ(r.exit_code, 6) << where << ": " << r.out << r.err;
    r = RunTidemark(J(dir, {"status"}));
    EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
    EXPECT_NE(r.err.find("not repaired automatically"), std::string::npos) << r.err;
    r = RunTidemark(J(dir, {"resume"}));
    EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
    ++cases;
  }
  std::printf("[corruption] wal flips: %d\n", cases);
}

TEST(CorruptionTest, DeletedSstFailsOpeningWithExitSix) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeJournal(dir, 4, 1);
  const auto ssts = FilesWithExt(dir, ".sst");
  ASSERT_FALSE(ssts.empty());
  fs::remove(ssts[0]);
  CliResult r = RunTidemark(J(dir, {"verify"}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  r = RunTidemark(J(dir, {"log"}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
}

// Rewrites event 5 (note "n5") through RocksDB, bypassing the chain: same
// length, a well-formed message, different content.
void RewriteNoteFiveWithoutTheChain(const fs::path& dir) {
  auto log = store::EventLog::Open(dir, store::OpenMode::kWrite);
  ASSERT_TRUE(log.ok());
  std::string v;
  ASSERT_TRUE(log.value()->raw_db()->Get(rocksdb::ReadOptions(), log.value()->events_cf(), store::SeqKey(5), &v).ok());
  const size_t p = v.find("n5", 32);
  ASSERT_NE(p, std::string::npos);
  v[p] = 'X';
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ASSERT_TRUE(log.value()->raw_db()->Put(wo, log.value()->events_cf(), store::SeqKey(5), v).ok());
}

TEST(CorruptionTest, EventRewrittenWithoutTheChainIsNamedBySeq) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeJournal(dir, 2, 6);
  RewriteNoteFiveWithoutTheChain(dir);
  CliResult r = RunTidemark(J(dir, {"verify"}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("at seq 5"), std::string::npos) << r.err;
  r = RunTidemark(J(dir, {"verify", "--json"}));
  EXPECT_NE(r.out.find("\"first_bad_seq\":5"), std::string::npos) << r.out;
}

TEST(CorruptionTest, TruncatedTailIsCaughtByExpectHead) {
  TempDir tmp;
  const fs::path dir = CrashedWriterJournal(tmp, 30);
  // The head as the admin wrote it into the change ticket (read-only: the WAL stays).
  const std::string head = HeadHash(dir);
  ASSERT_EQ(head.size(), 64u);
  EXPECT_EQ(RunTidemark(J(dir, {"verify", "--expect-head", head})).exit_code, 0);
  const auto wals = FilesWithExt(dir, ".log");
  ASSERT_FALSE(wals.empty());
  // Cut inside the last record: a torn tail, as after a crash mid-write.
  fs::resize_file(wals[0], fs::file_size(wals[0]) - 20);
  CliResult r = RunTidemark(J(dir, {"verify", "--expect-head", head}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
}

// How an intent event is damaged behind tidemark's back.
enum class IntentDamage { kUndecodable, kDeleted };

// Applies the full plan, then damages the journal's first applied intent
// through RocksDB directly. Returns that intent's seq.
uint64_t ApplyAndDamageAnIntent(const testing::MiniSite& site, IntentDamage damage) {
  const auto plan = site.WritePlan("full", testing::MiniSite::FullPlan());
  CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto log = store::EventLog::Open(site.journal(), store::OpenMode::kWrite);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  if (!log.ok()) return 0;
  uint64_t intent = 0;
  EXPECT_TRUE(log.value()->Scan(1, 0, false, [&](const store::StoredEvent& se) {
    if (const auto* a = std::get_if<Applied>(&se.event.body)) intent = a->intent_seq;
    return intent == 0;
  }).ok());
  EXPECT_NE(intent, 0u);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto* db = log.value()->raw_db();
  if (damage == IntentDamage::kDeleted) {
    EXPECT_TRUE(db->Delete(wo, log.value()->events_cf(), store::SeqKey(intent)).ok());
  } else {
    std::string v;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), log.value()->events_cf(), store::SeqKey(intent), &v).ok());
    v.resize(32 + 3);  // the hash, then three bytes that are no Cap'n Proto message
    EXPECT_TRUE(db->Put(wo, log.value()->events_cf(), store::SeqKey(intent), v).ok());
  }
  return intent;
}

uint64_t HeadSeq(const fs::path& dir) {
  auto log = store::EventLog::Open(dir, store::OpenMode::kReadOnly);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? log.value()->head().seq : 0;
}

// A damaged intent inside the range (the scan meets it), deleted (the scan
// skips it), or just before the point (`--to` the intent's seq: only its
// applied lies after the point, and the intent is read by seq).
TEST(CorruptionTest, RollbackRefusesAJournalWhoseIntentCannotBeRead) {
  struct Case {
    const char* what;
    IntentDamage damage;
    bool to_the_intent;
  };
  for (const Case& c : {Case{"undecodable intent", IntentDamage::kUndecodable, false},
                        Case{"deleted intent", IntentDamage::kDeleted, false},
                        Case{"undecodable intent at the point", IntentDamage::kUndecodable, true}}) {
    TempDir tmp;
    testing::MiniSite site(tmp.path());
    const uint64_t intent = ApplyAndDamageAnIntent(site, c.damage);
    ASSERT_NE(intent, 0u);
    const std::string applied = site.Fingerprint();
    const uint64_t head = HeadSeq(site.journal());
    std::vector<std::string> to;
    if (c.to_the_intent) to = {"--to", std::to_string(intent)};
    auto rollback = [&](std::vector<std::string> args) {
      args.insert(args.begin(), "rollback");
      args.insert(args.end(), to.begin(), to.end());
      return RunTidemark(WithJournal(site, args));
    };
    CliResult r = rollback({"--dry-run"});
    EXPECT_EQ(r.exit_code, 6) << c.what << ": " << r.out << r.err;
    r = rollback({"--dry-run", "--json"});
    EXPECT_EQ(r.exit_code, 6) << c.what << ": " << r.out << r.err;
    r = rollback({});
    EXPECT_EQ(r.exit_code, 6) << c.what << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(std::to_string(intent)), std::string::npos) << c.what << ": " << r.err;
    EXPECT_EQ(site.Fingerprint(), applied) << c.what << ": rollback changed a target";
    EXPECT_EQ(HeadSeq(site.journal()), head) << c.what << ": rollback appended to the journal";
    site.StopServices();
  }
}

// The SST files of one column family of the journal at `dir`.
std::vector<fs::path> SstsOf(const fs::path& dir, const std::string& cf) {
  auto log = store::EventLog::Open(dir, store::OpenMode::kReadOnly);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  std::vector<fs::path> out;
  if (!log.ok()) return out;
  std::vector<rocksdb::LiveFileMetaData> files;
  log.value()->raw_db()->GetLiveFilesMetaData(&files);
  for (const auto& f : files) {
    if (f.column_family_name == cf) out.push_back(dir / fs::path(f.name).filename());
  }
  return out;
}

// A byte flipped in the first block of an index, blob or events SST: verify
// sees it, so no command may append (note, rollback, apply), nothing changes,
// and status does not report the damaged journal as one without runs.
TEST(CorruptionTest, CommandsRefuseAJournalWithAFlippedSstByte) {
  for (const std::string cf : {"by_kind", "by_run", "by_resource", "blobs", "events"}) {
    TempDir tmp;
    testing::MiniSite site(tmp.path());
    const auto plan = site.WritePlan("full", testing::MiniSite::FullPlan());
    ASSERT_EQ(RunTidemark(WithJournal(site, {"apply", plan.string(), "--env",
                                             site.env_path().string()})).exit_code, 0);
    const auto ssts = SstsOf(site.journal(), cf);
    ASSERT_FALSE(ssts.empty()) << cf;
    FlipByte(ssts[0], 12);
    const std::string applied = site.Fingerprint();
    const uint64_t head = HeadSeq(site.journal());
    EXPECT_EQ(RunTidemark(WithJournal(site, {"verify"})).exit_code, 6) << cf;
    CliResult r = RunTidemark(WithJournal(site, {"note", "after the damage"}));
    EXPECT_EQ(r.exit_code, 6) << cf << ": " << r.out << r.err;
    r = RunTidemark(WithJournal(site, {"rollback"}));
    EXPECT_EQ(r.exit_code, 6) << cf << ": " << r.out << r.err;
    r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
    EXPECT_EQ(r.exit_code, 6) << cf << ": " << r.out << r.err;
    EXPECT_EQ(site.Fingerprint(), applied) << cf << ": a target changed";
    EXPECT_EQ(HeadSeq(site.journal()), head) << cf << ": the damaged journal was appended to";
    if (cf != "by_resource") {  // status reads the run through by_kind, by_run, blobs, events
      r = RunTidemark(WithJournal(site, {"status"}));
      EXPECT_EQ(r.exit_code, 6) << cf << ": " << r.out << r.err;
    }
    if (cf == "events") {
      r = RunTidemark(WithJournal(site, {"log"}));
      EXPECT_EQ(r.exit_code, 6) << cf << ": " << r.out << r.err;
    }
    site.StopServices();
  }
}

// An event rewritten through RocksDB without the chain (same length, well
// formed): every reader that uses it refuses it, not only verify.
TEST(CorruptionTest, ReadersRefuseAnEventRewrittenWithoutTheChain) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeJournal(dir, 2, 6);
  RewriteNoteFiveWithoutTheChain(dir);
  auto log = store::EventLog::Open(dir, store::OpenMode::kReadOnly);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log.value()->Get(5).status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(log.value()->Get(4).ok());
  EXPECT_EQ(log.value()->Scan(1, 0, false, [](const store::StoredEvent&) { return true; }).code(),
            StatusCode::kCorruption);
  log.value().reset();
  CliResult r = RunTidemark(J(dir, {"log"}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  r = RunTidemark(J(dir, {"show", "5"}));
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
}

// A key removed from the events column family leaves a gap a scan must not
// step over.
TEST(CorruptionTest, AScanRefusesAGapInTheEvents) {
  TempDir tmp;
  const auto dir = tmp / "journal";
  MakeJournal(dir, 0, 6);
  {
    auto log = store::EventLog::Open(dir, store::OpenMode::kWrite);
    ASSERT_TRUE(log.ok());
    rocksdb::WriteOptions wo;
    wo.sync = true;
    ASSERT_TRUE(log.value()->raw_db()->Delete(wo, log.value()->events_cf(), store::SeqKey(3)).ok());
  }
  auto log = store::EventLog::Open(dir, store::OpenMode::kReadOnly);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log.value()->Get(3).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(log.value()->Get(7).status().code(), StatusCode::kNotFound);
  for (bool reverse : {false, true}) {
    Status st = log.value()->Scan(1, 0, reverse, [](const store::StoredEvent&) { return true; });
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << reverse;
    EXPECT_NE(st.message().find("event 3"), std::string::npos) << st.message();
  }
  int seen = 0;
  EXPECT_TRUE(log.value()->Scan(4, 0, false, [&](const store::StoredEvent&) {
    ++seen;
    return true;
  }).ok());
  EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace tidemark::faults
