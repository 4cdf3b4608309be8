// EventLog: the append-only journal in one RocksDB directory (DESIGN.md §6).
//
// Column families:
//   events       key = seq (8-byte big-endian) → value = hash (32 raw bytes) ++ Event (capnp, flat)
//   by_resource  key = Resource::Identity() ++ 0x00 ++ seq (8-byte BE) → ""
//   by_run       key = run id ++ 0x00 ++ seq (8-byte BE) → ""
//   by_kind      key = kind name ++ 0x00 ++ seq (8-byte BE) → ""
//   blobs        key = SHA-256 (64 hex digits) → content bytes
//   snapshots    key = seq (8-byte BE) → state snapshot bytes (snapshots/ defines them)
//   meta         "format_version" → decimal, "journal_id" → text,
//                "head_seq" → 8-byte BE, "head_hash" → 32 raw bytes
// Hash chain: hash(seq) = SHA-256(hash(seq-1) ++ seq as 8-byte BE ++ event bytes),
// hash(0) = 32 zero bytes; each event also carries its prevHash.
// Every append is one WriteBatch (event, index entries, blobs, new head) with sync = true.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/event.h"
#include "store/journal_lock.h"
#include "store/status.h"

namespace rocksdb {
class DB;
class Env;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace tidemark::store {

inline constexpr int kFormatVersion = 1;

struct Head {
  uint64_t seq = 0;       // 0 = empty journal
  std::string hash;       // 32 raw bytes (zeros when empty)
};

struct StoredEvent {
  Event event;
  std::string hash;  // 32 raw bytes: this event's chain hash
};

struct VerifyReport {
  bool ok = true;
  uint64_t events = 0;
  uint64_t first_bad_seq = 0;  // 0 when ok or when no single seq is to blame
  std::string problem;         // what is wrong, for the admin
  Head head;                   // recomputed head (when ok)
};

enum class OpenMode { kReadOnly, kWrite, kCreate };

class EventLog {
 public:
  // kCreate: creates the directory (mode 0700) and journal if missing, atomically:
  // the journal is built and synced beside `dir` and renamed into place, so a
  // crash leaves either no journal or a complete empty one. A journal left
  // half-created by an interrupted creation (no events, no format version or
  // column families missing) is completed by a writer and NotFound to a reader.
  // kWrite: takes the writer lock (Locked, exit 5, if another process holds it).
  // kReadOnly: no lock; sees everything synced so far.
  // NotFound if there is no journal; Corruption if RocksDB cannot open it cleanly
  // (never silently repaired) or, for a writer, when any file fails its block
  // checksums or the head event is not the recorded head; Unsupported for a newer format version.
  // `env` (fault-injection tests only; not owned, must outlive the log) replaces
  // RocksDB's default Env.
  static Result<std::unique_ptr<EventLog>> Open(const std::filesystem::path& dir, OpenMode mode,
                                                rocksdb::Env* env = nullptr);
  ~EventLog();
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends durably (WAL fsync) with its index entries and any `blobs` (stored under
  // their SHA-256). Assigns seq and prevHash (and time, host, user when empty).
  // Returns the seq. An error here is indeterminate: the caller must not retry in
  // place but reopen and reconcile.
  Result<uint64_t> Append(Event event, const std::vector<std::string>& blobs = {});
  // Many events with one sync (large observed diffs). Returns the last seq.
  Result<uint64_t> AppendBatch(std::vector<Event> events, const std::vector<std::string>& blobs = {});

  Head head() const { return head_; }
  const std::string& journal_id() const { return journal_id_; }
  const std::filesystem::path& dir() const { return dir_; }
  const JournalLock* lock() const { return lock_.get(); }

  // Reads check RocksDB block checksums; events are refused (Corruption) unless
  // their recorded hash covers their bytes, and a scan also unless the events
  // it passes are gap-free and linked (the head's hash is the recorded head's).
  // One event; NotFound for a seq past the head, Corruption for a missing one.
  Result<StoredEvent> Get(uint64_t seq) const;
  // Calls `fn` for events with from <= seq <= to (to = 0: to the head), ascending
  // (or descending when `reverse`) until it returns false.
  Status Scan(uint64_t from, uint64_t to, bool reverse,
              const std::function<bool(const StoredEvent&)>& fn) const;
  // Seqs of events about one resource (by identity), ascending, via the index.
  Result<std::vector<uint64_t>> SeqsForResource(const std::string& identity) const;
  // Seqs of events of one run, ascending, via the index.
  Result<std::vector<uint64_t>> SeqsForRun(const std::string& run) const;
  // Seqs of events of one kind ("checkpoint", ...), ascending, via the index.
  Result<std::vector<uint64_t>> SeqsForKind(const std::string& kind) const;
  // Every distinct resource identity in the index, sorted.
  Result<std::vector<std::string>> ResourceIdentities() const;
  // Every run id, in order of first appearance.
  Result<std::vector<std::string>> Runs() const;

  // Content-addressed blobs (key: SHA-256 hex).
  Result<std::optional<std::string>> GetBlob(const std::string& sha256_hex) const;

  // State snapshots (format owned by snapshots/), synced.
  Status PutSnapshot(uint64_t seq, const std::string& bytes);
  Result<std::vector<uint64_t>> SnapshotSeqs() const;
  Result<std::optional<std::string>> GetSnapshot(uint64_t seq) const;

  // Recomputes every link of the chain and every RocksDB block checksum.
  // The report names the first bad seq where one is to blame.
  Result<VerifyReport> Verify() const;

  // Consistent copy of the live journal (RocksDB checkpoint) into a new dir.
  Status Backup(const std::filesystem::path& dest) const;

  // Raw access for fault-injection tests and the benchmark only.
  rocksdb::DB* raw_db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* events_cf() const { return cfs_[1]; }  // "events"

  // hash(seq) from its predecessor's hash and the stored event bytes.
  static std::string ChainHash(const std::string& prev_hash, uint64_t seq, std::string_view bytes);

 private:
  EventLog() = default;
  // Builds an empty journal in a sibling directory and renames it to `dir`
  // (journal_create.cc). Ok also when another process created `dir` first.
  static Status CreateAside(const std::filesystem::path& dir, rocksdb::Env* env);
  static Status CreateInPlace(const std::filesystem::path& dir, rocksdb::Env* env);
  // Opens RocksDB in an existing `dir`; writers already hold `lock` (null while
  // the journal is being built aside, where CreateAside holds it).
  static Result<std::unique_ptr<EventLog>> OpenDb(const std::filesystem::path& dir, OpenMode mode,
                                                  rocksdb::Env* env,
                                                  std::unique_ptr<JournalLock> lock);
  Status LoadMeta();
  // A writer's open: every file's block checksums and the head event's hash.
  // Corruption (nothing may be appended) when they fail.
  Status CheckBeforeWriting() const;
  Result<uint64_t> Write(std::vector<Event> events, const std::vector<std::string>& blobs);
  Result<std::vector<uint64_t>> IndexScan(size_t cf, const std::string& prefix) const;

  std::filesystem::path dir_;
  bool read_only_ = true;
  std::unique_ptr<JournalLock> lock_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;
  Head head_;
  std::string journal_id_;
  std::string host_, user_;
  // TIDEMARK_CRASH_AFTER_SYNCS=N, read only when built with TIDEMARK_TEST_HOOKS:
  // SIGKILL after the Nth synced write.
  uint64_t crash_after_syncs_ = 0;
  uint64_t syncs_ = 0;
};

// 8-byte big-endian encoding of a seq (the events key).
std::string SeqKey(uint64_t seq);
uint64_t DecodeSeqKey(std::string_view key);

}  // namespace tidemark::store
