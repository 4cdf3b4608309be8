// EventLog over RocksDB: open/create, synced appends with index entries, the
// hash chain, reads through the indexes, verification and backup.
#include "store/event_log.h"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>

#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "store/event_codec.h"
#include "store/sha256.h"
#include "store/system_info.h"

namespace tidemark::store {
namespace {

// Column family order in cfs_ (index 0 is RocksDB's mandatory "default").
enum Cf : size_t { kDefault = 0, kEvents, kByResource, kByRun, kByKind, kBlobs, kSnapshots, kMeta };
const char* const kCfNames[] = {"default", "events",    "by_resource", "by_run",
                                "by_kind", "blobs",     "snapshots",   "meta"};
constexpr size_t kCfCount = std::size(kCfNames);
constexpr size_t kHashSize = 32;

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNoSpace()) return Status::IoError(what + ": no space left on the device (ENOSPC): " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

// Every read checks RocksDB's block checksums (what `verify` checks for the
// data read).
rocksdb::ReadOptions Checked() {
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  return ro;
}

std::string IndexKey(const std::string& prefix, uint64_t seq) {
  std::string k = prefix;
  k.push_back('\0');
  k += SeqKey(seq);
  return k;
}

std::string RandomId() {
  std::random_device rd;
  std::string raw(8, '\0');
  for (auto& c : raw) c = static_cast<char>(rd() & 0xFF);
  return ToHex(raw);
}

// RocksDB's diagnostics go to tidemark's log (debug level) instead of a LOG
// file in the journal: that file cannot be written on a full disk, and
// RocksDB's file logger aborts on its next line after a failed write.
class DiagnosticsLogger : public rocksdb::Logger {
 public:
  DiagnosticsLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    spdlog::debug("rocksdb: {}", line);
  }
};

// Snappy-compressed tables on every system, named rather than left to the
// build's default (Debian's RocksDB picks Snappy; a build without it would pick
// none): both builds link Snappy, so either reads the other's journal.
rocksdb::ColumnFamilyOptions FamilyOptions() {
  rocksdb::ColumnFamilyOptions o;
  o.compression = rocksdb::kSnappyCompression;
  return o;
}

rocksdb::Options MakeOptions(bool create) {
  rocksdb::Options o(rocksdb::DBOptions(), FamilyOptions());
  o.create_if_missing = create;
  o.create_missing_column_families = create;
  o.paranoid_checks = true;
  // A synced (acknowledged) record is complete in the WAL; only a torn,
  // unacknowledged tail may be dropped. Anything else fails the open.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  o.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  static const auto logger = std::make_shared<DiagnosticsLogger>();
  o.info_log = logger;
  o.keep_log_file_num = 2;
  o.max_manifest_file_size = 16 << 20;
  o.max_total_wal_size = 64 << 20;  // bounds WAL replay on open for long-lived writers
  return o;
}

// Why a journal did not open, by RocksDB's status code and subcode: a full disk
// or a journal this user may not read is an I/O error (exit 1, nothing is
// wrong with the journal); anything else means files are missing or damaged.
// True when this process can create a file in `dir` (the probe is removed).
bool CanCreateIn(const std::filesystem::path& dir) {
  const auto probe = dir / ".tidemark-write-probe";
  {
    std::ofstream f(probe, std::ios::binary);
    if (!f) return false;
  }
  std::error_code ec;
  std::filesystem::remove(probe, ec);
  return true;
}

Status OpenFailure(const std::filesystem::path& dir, const rocksdb::Status& s, bool writer) {
  const std::string where = "cannot open journal " + dir.string() + ": ";
  if (s.IsNoSpace()) {
    return Status::IoError(where + "no space left on the device (ENOSPC: " + s.ToString() +
                           "); free space and retry, the journal is intact");
  }
  if (s.IsIOError() && !s.IsCorruption()) {
    std::ifstream current(dir / "CURRENT", std::ios::binary);
    if (!current || (writer && !CanCreateIn(dir))) {
      return Status::IoError(where + "this user may not read or write its files (" + s.ToString() +
                             ")");
    }
  }
  if (s.IsBusy() || s.IsTimedOut() || s.IsAborted() || s.IsMemoryLimit()) {
    return Status::IoError(where + s.ToString());
  }
  return Status::Corruption("journal " + dir.string() +
                            " cannot be opened cleanly (it is not repaired automatically; "
                            "restore it from a `tidemark journal backup`): " +
                            s.ToString());
}

// A journal whose creation was interrupted: a column family is missing, and
// neither an event nor the format version (written right after the column
// families, before any event) was ever stored. It holds nothing to lose.
bool IsHalfCreated(const std::filesystem::path& dir, const rocksdb::Options& options) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, dir.string(), &names).ok()) return false;
  if (names.size() >= kCfCount) return false;
  std::vector<rocksdb::ColumnFamilyDescriptor> present;
  for (const auto& n : names) present.emplace_back(n, FamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(options, dir.string(), present, &handles, &raw).ok()) {
    return false;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  bool empty = true;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == kCfNames[kEvents]) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
      it->SeekToFirst();
      empty = empty && it->status().ok() && !it->Valid();
    } else if (names[i] == kCfNames[kMeta]) {
      std::string v;
      empty = empty && db->Get(rocksdb::ReadOptions(), handles[i], "format_version", &v).IsNotFound();
    }
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  return empty;
}

Status HalfCreatedToReader(const std::filesystem::path& dir) {
  return Status::NotFound("journal " + dir.string() +
                          " was never completely created (its creation was interrupted; it "
                          "holds no events): `tidemark init` completes it");
}

}  // namespace

std::string SeqKey(uint64_t seq) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i) {
    k[static_cast<size_t>(i)] = static_cast<char>(seq & 0xFF);
    seq >>= 8;
  }
  return k;
}

uint64_t DecodeSeqKey(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < key.size(); ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

std::string EventLog::ChainHash(const std::string& prev_hash, uint64_t seq,
                                std::string_view bytes) {
  Sha256Hasher h;
  h.Update(prev_hash);
  h.Update(SeqKey(seq));
  h.Update(bytes);
  return h.Finish();
}

Result<std::unique_ptr<EventLog>> EventLog::Open(const std::filesystem::path& dir, OpenMode mode,
                                                 rocksdb::Env* env) {
  std::error_code ec;
  if (!std::filesystem::exists(dir / "CURRENT", ec)) {
    if (mode != OpenMode::kCreate) {
      return Status::NotFound("no journal at " + dir.string() +
                              " (create one with `tidemark init`, or pass --journal DIR)");
    }
    TM_RETURN_IF_ERROR(CreateAside(dir, env));
  }
  std::unique_ptr<JournalLock> lock;
  if (mode != OpenMode::kReadOnly) {
    TM_ASSIGN_OR_RETURN(lock, JournalLock::Acquire(dir));
    if (!lock->taken_over_from().empty()) {
      spdlog::warn("took over the journal lock left by a process that is gone ({})",
                   lock->taken_over_from());
    }
  }
  TM_ASSIGN_OR_RETURN(auto log, OpenDb(dir, mode, env, std::move(lock)));
#ifdef TIDEMARK_TEST_HOOKS
  if (!log->read_only_) {
    if (const char* crash = std::getenv("TIDEMARK_CRASH_AFTER_SYNCS")) {
      log->crash_after_syncs_ = std::strtoull(crash, nullptr, 10);
    }
  }
#endif
  return log;
}

Result<std::unique_ptr<EventLog>> EventLog::OpenDb(const std::filesystem::path& dir, OpenMode mode,
                                                   rocksdb::Env* env,
                                                   std::unique_ptr<JournalLock> lock) {
  std::unique_ptr<EventLog> log(new EventLog());
  log->dir_ = dir;
  log->read_only_ = mode == OpenMode::kReadOnly;
  log->lock_ = std::move(lock);
  log->host_ = LocalHostName();
  log->user_ = LocalUserName();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : kCfNames) {
    descriptors.emplace_back(name, FamilyOptions());
  }
  rocksdb::Options options = MakeOptions(mode == OpenMode::kCreate);
  if (env != nullptr) options.env = env;
  auto open = [&](const rocksdb::Options& o) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s =
        log->read_only_
            ? rocksdb::DB::OpenForReadOnly(o, dir.string(), descriptors, &log->cfs_, &raw)
            : rocksdb::DB::Open(o, dir.string(), descriptors, &log->cfs_, &raw);
    log->db_.reset(raw);
    return s;
  };
  rocksdb::Status s = open(options);
  if (!s.ok() && IsHalfCreated(dir, options)) {
    if (log->read_only_) return HalfCreatedToReader(dir);
    options.create_missing_column_families = true;
    s = open(options);
  }
  if (!s.ok()) return OpenFailure(dir, s, !log->read_only_);
  TM_RETURN_IF_ERROR(log->LoadMeta());
  if (!log->read_only_) TM_RETURN_IF_ERROR(log->CheckBeforeWriting());
  return log;
}

EventLog::~EventLog() {
  if (db_ && !read_only_) {
    // Flush so that the next open (often a reader) does not replay the WAL.
    rocksdb::FlushOptions fo;
    fo.wait = true;
    std::vector<rocksdb::ColumnFamilyHandle*> all(cfs_.begin(), cfs_.end());
    rocksdb::Status s = db_->Flush(fo, all);
    if (!s.ok()) spdlog::warn("flushing the journal on close failed: {}", s.ToString());
  }
  if (db_) {
    for (auto* h : cfs_) db_->DestroyColumnFamilyHandle(h);
    cfs_.clear();
    db_->Close();
    db_.reset();
  }
}

Status EventLog::LoadMeta() {
  auto* meta = cfs_[kMeta];
  std::string v;
  rocksdb::Status s = db_->Get(Checked(), meta, "format_version", &v);
  if (s.IsNotFound()) {
    // Created but interrupted before its meta record: complete it, unless
    // events exist (then the record was lost, which is damage).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kEvents]));
    it->SeekToFirst();
    TM_RETURN_IF_ERROR(FromRocks(it->status(), "reading the first event"));
    if (it->Valid()) return Status::Corruption("journal holds events but no format version");
    if (read_only_) return HalfCreatedToReader(dir_);
    rocksdb::WriteBatch b;
    journal_id_ = RandomId();
    b.Put(meta, "format_version", std::to_string(kFormatVersion));
    b.Put(meta, "journal_id", journal_id_);
    b.Put(meta, "head_seq", SeqKey(0));
    b.Put(meta, "head_hash", std::string(kHashSize, '\0'));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    TM_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &b), "initializing journal"));
    head_ = Head{0, std::string(kHashSize, '\0')};
    return Status::Ok();
  }
  TM_RETURN_IF_ERROR(FromRocks(s, "reading format version"));
  int version = std::atoi(v.c_str());
  if (version > kFormatVersion) {
    return Status::Unsupported("journal " + dir_.string() + " has format version " + v +
                               ", newer than this tidemark understands (" +
                               std::to_string(kFormatVersion) + "); use a newer tidemark");
  }
  if (version < 1) return Status::Corruption("journal format version is '" + v + "'");
  TM_RETURN_IF_ERROR(FromRocks(db_->Get(Checked(), meta, "journal_id", &journal_id_),
                               "reading journal id"));
  std::string seq, hash;
  TM_RETURN_IF_ERROR(FromRocks(db_->Get(Checked(), meta, "head_seq", &seq),
                               "reading head seq"));
  TM_RETURN_IF_ERROR(FromRocks(db_->Get(Checked(), meta, "head_hash", &hash),
                               "reading head hash"));
  if (seq.size() != 8 || hash.size() != kHashSize) {
    return Status::Corruption("journal head record is malformed");
  }
  head_ = Head{DecodeSeqKey(seq), hash};
  // The newest event must be the recorded head: both are written in one batch.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Checked(), cfs_[kEvents]));
  it->SeekToLast();
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "reading the newest event"));
  const uint64_t last = it->Valid() ? DecodeSeqKey(it->key().ToStringView()) : 0;
  if (last != head_.seq) {
    return Status::Corruption("journal head says seq " + std::to_string(head_.seq) +
                              " but the newest event is seq " + std::to_string(last) +
                              " (events were removed or added outside tidemark); run "
                              "`tidemark verify`");
  }
  return Status::Ok();
}

Status EventLog::CheckBeforeWriting() const {
  const rocksdb::Status files = db_->VerifyChecksum();
  if (!files.ok()) {
    return Status::Corruption("the journal's files fail their block checksums (" +
                              files.ToString() + "); nothing is appended to a damaged journal. "
                              "Run `tidemark verify`");
  }
  if (head_.seq == 0) return Status::Ok();
  TM_ASSIGN_OR_RETURN(StoredEvent newest, Get(head_.seq));
  if (newest.hash != head_.hash) {
    return Status::Corruption("the newest event does not have the recorded head hash; nothing "
                              "is appended to a damaged journal. Run `tidemark verify`");
  }
  return Status::Ok();
}

Result<uint64_t> EventLog::Append(Event event, const std::vector<std::string>& blobs) {
  std::vector<Event> one;
  one.push_back(std::move(event));
  return Write(std::move(one), blobs);
}

Result<uint64_t> EventLog::AppendBatch(std::vector<Event> events,
                                       const std::vector<std::string>& blobs) {
  if (events.empty()) return head_.seq;
  return Write(std::move(events), blobs);
}

Result<uint64_t> EventLog::Write(std::vector<Event> events, const std::vector<std::string>& blobs) {
  if (read_only_) return Status::Failed("journal opened read-only");
  rocksdb::WriteBatch batch;
  Head head = head_;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (auto& e : events) {
    e.seq = head.seq + 1;
    e.prev_hash = head.hash;
    if (e.time_ns == 0) e.time_ns = now;
    if (e.host.empty()) e.host = host_;
    if (e.user.empty()) e.user = user_;
    const std::string bytes = EncodeEvent(e);
    const std::string hash = ChainHash(head.hash, e.seq, bytes);
    const std::string key = SeqKey(e.seq);
    batch.Put(cfs_[kEvents], key, hash + bytes);
    if (const Resource* r = e.GetResource()) {
      batch.Put(cfs_[kByResource], IndexKey(r->Identity(), e.seq), "");
    }
    if (!e.run.empty()) batch.Put(cfs_[kByRun], IndexKey(e.run, e.seq), "");
    batch.Put(cfs_[kByKind], IndexKey(e.KindName(), e.seq), "");
    head = Head{e.seq, hash};
  }
  for (const auto& blob : blobs) batch.Put(cfs_[kBlobs], Sha256Hex(blob), blob);
  batch.Put(cfs_[kMeta], "head_seq", SeqKey(head.seq));
  batch.Put(cfs_[kMeta], "head_hash", head.hash);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  TM_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "appending to the journal"));
  head_ = head;
  if (crash_after_syncs_ > 0 && ++syncs_ == crash_after_syncs_) {
    // Fault injection for crash tests: die abruptly right after a durable append.
    KillSelfNow();
  }
  return head.seq;
}

namespace {

// The event stored under `seq`, refused (Corruption) unless its recorded hash
// is the chain hash of its bytes and the predecessor hash it carries, and it
// says it is `seq`: an event changed outside tidemark is never used.
Result<StoredEvent> DecodeStored(uint64_t seq, std::string_view v) {
  const std::string what = "event " + std::to_string(seq);
  if (v.size() < kHashSize) return Status::Corruption(what + " is short");
  const std::string_view bytes = v.substr(kHashSize);
  auto e = DecodeEvent(bytes);
  if (!e.ok()) return e.status().Prefix(what);
  if (e->seq != seq || EventLog::ChainHash(e->prev_hash, seq, bytes) != v.substr(0, kHashSize)) {
    return Status::Corruption(what + " does not match its recorded hash (changed outside "
                              "tidemark); run `tidemark verify`");
  }
  return StoredEvent{std::move(e).value(), std::string(v.substr(0, kHashSize))};
}

}  // namespace

Result<StoredEvent> EventLog::Get(uint64_t seq) const {
  std::string v;
  rocksdb::Status s = db_->Get(Checked(), cfs_[kEvents], SeqKey(seq), &v);
  if (s.IsNotFound()) {
    if (seq >= 1 && seq <= head_.seq) {
      return Status::Corruption("event " + std::to_string(seq) + " is missing from the journal (" +
                                std::to_string(head_.seq) + " events); run `tidemark verify`");
    }
    return Status::NotFound("no event with seq " + std::to_string(seq) + " (the journal has " +
                            std::to_string(head_.seq) + " events)");
  }
  TM_RETURN_IF_ERROR(FromRocks(s, "reading event " + std::to_string(seq)));
  return DecodeStored(seq, v);
}

Status EventLog::Scan(uint64_t from, uint64_t to, bool reverse,
                      const std::function<bool(const StoredEvent&)>& fn) const {
  const uint64_t first = std::max<uint64_t>(from, 1);
  const uint64_t last = (to == 0 || to > head_.seq) ? head_.seq : to;
  if (first > last) return Status::Ok();
  auto missing = [](uint64_t seq) {
    return Status::Corruption("event " + std::to_string(seq) +
                              " is missing from the journal; run `tidemark verify`");
  };
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Checked(), cfs_[kEvents]));
  if (reverse) {
    it->SeekForPrev(SeqKey(last));
  } else {
    it->Seek(SeqKey(first));
  }
  // The events seen are gap-free and linked: each carries the hash of the one
  // before it, and the head's hash is the recorded head hash.
  uint64_t expected = reverse ? last : first;
  std::string want_prev;  // forward: the predecessor hash the next event must carry
  std::string want_hash = reverse && last == head_.seq ? head_.hash : "";  // reverse: its hash
  for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
    const uint64_t seq = DecodeSeqKey(it->key().ToStringView());
    if (seq < first || seq > last) break;
    if (seq != expected) return missing(expected);
    TM_ASSIGN_OR_RETURN(StoredEvent e, DecodeStored(seq, it->value().ToStringView()));
    const bool linked =
        reverse ? want_hash.empty() || e.hash == want_hash
                : (want_prev.empty() || e.event.prev_hash == want_prev) &&
                      (seq != head_.seq || e.hash == head_.hash);
    if (!linked) {
      return Status::Corruption("the hash chain is broken at event " + std::to_string(seq) +
                                "; run `tidemark verify`");
    }
    want_prev = e.hash;
    want_hash = e.event.prev_hash;
    if (!fn(e)) return FromRocks(it->status(), "scanning events");
    expected = reverse ? seq - 1 : seq + 1;
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "scanning events"));
  if (reverse ? expected + 1 != first : expected != last + 1) return missing(expected);
  return Status::Ok();
}

Result<std::vector<uint64_t>> EventLog::IndexScan(size_t cf, const std::string& prefix) const {
  std::vector<uint64_t> out;
  std::string start = prefix;
  start.push_back('\0');
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Checked(), cfs_[cf]));
  for (it->Seek(start); it->Valid(); it->Next()) {
    std::string_view k = it->key().ToStringView();
    if (k.size() != start.size() + 8 || k.substr(0, start.size()) != start) break;
    out.push_back(DecodeSeqKey(k.substr(start.size())));
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "reading an index"));
  return out;
}

Result<std::vector<uint64_t>> EventLog::SeqsForResource(const std::string& identity) const {
  return IndexScan(kByResource, identity);
}
Result<std::vector<uint64_t>> EventLog::SeqsForRun(const std::string& run) const {
  return IndexScan(kByRun, run);
}
Result<std::vector<uint64_t>> EventLog::SeqsForKind(const std::string& kind) const {
  return IndexScan(kByKind, kind);
}

Result<std::vector<std::string>> EventLog::ResourceIdentities() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Checked(), cfs_[kByResource]));
  it->SeekToFirst();
  while (it->Valid()) {
    std::string_view k = it->key().ToStringView();
    if (k.size() < 9) return Status::Corruption("malformed resource index key");
    std::string identity(k.substr(0, k.size() - 9));
    out.push_back(identity);
    // Jump past every entry of this identity.
    identity.push_back('\x01');
    it->Seek(identity);
  }
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "reading the resource index"));
  return out;
}

Result<std::vector<std::string>> EventLog::Runs() const {
  TM_ASSIGN_OR_RETURN(auto seqs, SeqsForKind("runStarted"));
  std::vector<std::string> out;
  for (uint64_t seq : seqs) {
    TM_ASSIGN_OR_RETURN(auto e, Get(seq));
    out.push_back(e.event.run);
  }
  return out;
}

Result<std::optional<std::string>> EventLog::GetBlob(const std::string& sha256_hex) const {
  std::string v;
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  rocksdb::Status s = db_->Get(ro, cfs_[kBlobs], sha256_hex, &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  TM_RETURN_IF_ERROR(FromRocks(s, "reading blob " + sha256_hex));
  if (Sha256Hex(v) != sha256_hex) {
    return Status::Corruption("blob " + sha256_hex + " does not match its hash");
  }
  return std::optional<std::string>(std::move(v));
}

Status EventLog::PutSnapshot(uint64_t seq, const std::string& bytes) {
  if (read_only_) return Status::Failed("journal opened read-only");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, cfs_[kSnapshots], SeqKey(seq), bytes), "writing a snapshot");
}

Result<std::vector<uint64_t>> EventLog::SnapshotSeqs() const {
  std::vector<uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Checked(), cfs_[kSnapshots]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(DecodeSeqKey(it->key().ToStringView()));
  TM_RETURN_IF_ERROR(FromRocks(it->status(), "listing snapshots"));
  return out;
}

Result<std::optional<std::string>> EventLog::GetSnapshot(uint64_t seq) const {
  std::string v;
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  rocksdb::Status s = db_->Get(ro, cfs_[kSnapshots], SeqKey(seq), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  TM_RETURN_IF_ERROR(FromRocks(s, "reading snapshot " + std::to_string(seq)));
  return std::optional<std::string>(std::move(v));
}

Result<VerifyReport> EventLog::Verify() const {
  VerifyReport report;
  rocksdb::Status cs = db_->VerifyChecksum();
  if (!cs.ok()) {
    report.ok = false;
    report.problem = "RocksDB block checksum failure: " + cs.ToString();
    // Continue to find the first bad seq if the events are readable.
  }
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kEvents]));
  std::string prev(kHashSize, '\0');
  uint64_t expected = 1;
  auto fail = [&](uint64_t seq, std::string problem) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.problem = std::move(problem);
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    const uint64_t seq = DecodeSeqKey(key);
    if (key.size() != 8) {
      fail(expected, "malformed event key");
      return report;
    }
    if (seq != expected) {
      fail(expected, seq > expected ? "event " + std::to_string(expected) + " is missing"
                                    : "events are out of order");
      return report;
    }
    const std::string_view v = it->value().ToStringView();
    if (v.size() < kHashSize) {
      fail(seq, "event is truncated");
      return report;
    }
    const std::string_view bytes = v.substr(kHashSize);
    const std::string hash = ChainHash(prev, seq, bytes);
    if (hash != v.substr(0, kHashSize)) {
      fail(seq, "event content does not match its recorded hash (edited outside tidemark)");
      return report;
    }
    auto e = DecodeEventHeader(bytes);
    if (!e.ok()) {
      fail(seq, e.status().message());
      return report;
    }
    if (e->seq != seq) {
      fail(seq, "event stored under seq " + std::to_string(seq) + " says it is seq " +
                    std::to_string(e->seq) + " (moved or swapped)");
      return report;
    }
    if (e->prev_hash != prev) {
      fail(seq, "previous-hash link is broken (an earlier event was rewritten or removed)");
      return report;
    }
    prev = hash;
    ++expected;
    ++report.events;
  }
  if (!it->status().ok()) {
    fail(expected, "cannot read event: " + it->status().ToString());
    return report;
  }
  if (!report.ok) return report;  // checksum failure outside the events
  const uint64_t last = expected - 1;
  if (last != head_.seq || prev != head_.hash) {
    fail(last < head_.seq ? last + 1 : head_.seq + 1,
         "journal head records seq " + std::to_string(head_.seq) + " but the chain ends at seq " +
             std::to_string(last) + (last < head_.seq ? " (events lost or truncated)" : ""));
    return report;
  }
  report.head = Head{last, prev};
  return report;
}

Status EventLog::Backup(const std::filesystem::path& dest) const {
  rocksdb::Checkpoint* raw = nullptr;
  TM_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "backup"));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  // log_size_for_flush = 0: flush so the copy holds every synced event in SST files.
  TM_RETURN_IF_ERROR(FromRocks(cp->CreateCheckpoint(dest.string(), 0), "backup to " + dest.string()));
  return MakeDirectoryPrivate(dest);
}

}  // namespace tidemark::store
