// tidemark-bench: builds synthetic journals in a temp dir and prints each
// figure of issue 7 next to a reference measured in the same run (raw RocksDB,
// SQLite WAL, raw file reads), with the ratio. See BENCHMARKS.md.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include "commands/cli.h"
#include "engine/fold.h"
#include "engine/targets/reg_file.h"
#include "engine/targets/registry_target.h"
#include "snapshots/scan.h"
#include "store/event_codec.h"
#include "store/event_log.h"

namespace fs = std::filesystem;
using tidemark::Event;
using tidemark::Resource;
using tidemark::Status;
using tidemark::Value;
using tidemark::store::EventLog;
using tidemark::store::OpenMode;

namespace {

constexpr int kResources = 5000;     // distinct registry values the synthetic runs touch
constexpr int kEventsPerRun = 1000;  // one run per 1000 events

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void Die(const std::string& what, const Status& st) {
  std::cerr << "tidemark-bench: " << what << ": " << st.ToString() << "\n";
  std::exit(1);
}
template <typename T>
T Must(tidemark::Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what, r.status());
  return std::move(r).value();
}
void Must(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what, st);
}

Resource Res(uint64_t n) {
  return Resource::RegistryValue("SERVER" + std::to_string(n % 4),
                                 "HKLM\\SOFTWARE\\Wow6432Node\\Bench\\K" + std::to_string(n % 100),
                                 "V" + std::to_string(n % kResources));
}

// The synthetic event with sequence number `seq`: runs of 1000 events, ten
// steps each, the rest intent/applied pairs on 5000 registry values.
Event MakeEvent(uint64_t seq) {
  Event e;
  const uint64_t i = seq - 1;
  const uint64_t p = i % kEventsPerRun;
  e.run = "run-" + std::to_string(i / kEventsPerRun);
  e.step = "step-" + std::to_string(p / 100);
  e.time_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(seq) * 1'000'000;
  e.host = "bench-host";
  e.user = "admin";
  if (p == 0) {
    tidemark::RunStarted rs;
    rs.plan_name = "connected-backup-8.8.7 mirrored";
    rs.plan_sha256 = std::string(64, 'a');
    rs.parameters = {{"primary", "SERVER1"}, {"secondary", "SERVER2"}};
    e.step.clear();
    e.body = rs;
  } else if (p == kEventsPerRun - 1) {
    e.step.clear();
    e.body = tidemark::RunFinished{};
  } else if (p % 100 == 1) {
    e.body = tidemark::StepStarted{"Redirect web services", "registry.set"};
  } else if (p % 100 == 98) {
    e.body = tidemark::StepFinished{};
  } else if (p % 2 == 0) {
    tidemark::Intent in;
    in.resource = Res(i / 2);
    in.before = Value::RegString("DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry");
    in.after = Value::RegString("DRIVER={SQL Server};SERVER=SERVER2;DATABASE=Registry;" +
                                std::to_string(seq));
    in.action = "registry.set@0";
    e.body = in;
  } else {
    e.body = tidemark::Applied{seq - 1, Res((i - 1) / 2),
                               Value::RegString("DRIVER={SQL Server};SERVER=SERVER2;DATABASE=Registry;" +
                                                std::to_string(seq - 1)),
                               false};
  }
  return e;
}

Event SingleEvent() {
  Event e = MakeEvent(3);  // an intent
  e.run = "bench-single";
  return e;
}

// Grows `log` to `target` events with synced batches of up to 10,000, writing
// snapshots the way the engine does (every N events).
void Grow(EventLog& log, uint64_t target) {
  while (log.head().seq < target) {
    std::vector<Event> batch;
    const uint64_t first = log.head().seq + 1;
    const uint64_t last = std::min(target, first + 9999);
    for (uint64_t s = first; s <= last; ++s) batch.push_back(MakeEvent(s));
    Must(log.AppendBatch(std::move(batch)), "append batch");
    Must(tidemark::engine::MaybeSnapshot(log), "snapshot");
  }
}

std::string EncodedStored(uint64_t seq, const Event& e) {
  Event copy = e;
  copy.seq = seq;
  copy.prev_hash = std::string(32, '\x11');
  return std::string(32, '\x22') + tidemark::store::EncodeEvent(copy);
}

// ---- machine facts ----

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string FsType(const fs::path& p) {
  struct statfs s {};
  if (statfs(p.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext4 (or ext2/3)";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

long VmHwmKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// ---- output ----

struct Row {
  std::string id, what, figure, reference, ratio, goal, verdict;
};
std::vector<Row> g_rows;

std::string Fmt(double v, const char* unit, int prec = 2) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f %s", prec, v, unit);
  return buf;
}

void AddRow(Row r) {
  std::cout << "  [" << r.id << "] " << r.what << ": " << r.figure << "  | ref " << r.reference
            << "  | ratio " << r.ratio << "  | goal " << r.goal << " " << r.verdict << std::endl;
  g_rows.push_back(std::move(r));
}

std::string Ratio(double r) { return Fmt(r, "x"); }
std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

int RunCli(const std::vector<std::string>& args, std::string* out = nullptr) {
  std::vector<const char*> argv = {"tidemark"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream o, e;
  const int rc = tidemark::commands::Run(static_cast<int>(argv.size()), argv.data(), o, e);
  if (rc != 0) std::cerr << "tidemark " << args[0] << " exited " << rc << ": " << e.str() << "\n";
  if (out) *out = o.str();
  return rc;
}

// Child mode: fold (or raw-scan) the journal and print VmHWM in kB.
int RssChild(const std::string& mode, const fs::path& dir) {
  auto log = Must(EventLog::Open(dir, OpenMode::kReadOnly), "open");
  const long before = VmHwmKb();
  if (mode == "fold") {
    tidemark::engine::State state;
    Must(log->Scan(1, 0, false, [&](const tidemark::store::StoredEvent& e) {
      state.Apply(e.event);
      return true;
    }), "fold");
    std::printf("%ld %ld %zu\n", before, VmHwmKb(), state.resources().size());
  } else {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(log->raw_db()->NewIterator(ro, log->events_cf()));
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) n += it->value().size();
    std::printf("%ld %ld %zu\n", before, VmHwmKb(), n);
  }
  return 0;
}

long ChildHwm(const std::string& mode, const fs::path& dir) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    execl("/proc/self/exe", "tidemark-bench", "--rss-child", mode.c_str(), dir.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  long before = 0, after = -1;
  std::sscanf(text.c_str(), "%ld %ld", &before, &after);
  return after;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 1'000'000;
  fs::path base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rss-child" && i + 2 < argc) return RssChild(argv[i + 1], argv[i + 2]);
    if (a == "--events" && i + 1 < argc) {
      events = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--dir" && i + 1 < argc) {
      base = argv[++i];
    } else {
      std::cerr << "usage: tidemark-bench [--events N] [--dir TEMP_PARENT]\n";
      return a == "--help" ? 0 : 2;
    }
  }
  if (events < 20'000) events = 20'000;
  spdlog::set_level(spdlog::level::warn);
  const double t_start = Now();
  char tmpl[] = "tidemark-bench-XXXXXX";
  fs::path root = base / tmpl;
  std::string root_s = root.string();
  if (!mkdtemp(root_s.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  root = root_s;

  utsname un{};
  uname(&un);
  std::cout << "tidemark-bench: " << events << " events\n"
            << "  cpu:        " << CpuModel() << " (" << sysconf(_SC_NPROCESSORS_ONLN) << " online)\n"
            << "  kernel:     " << un.sysname << " " << un.release << " " << un.machine << "\n"
            << "  filesystem: " << FsType(root) << " at " << root.string() << "\n"
            << "  rocksdb:    " << ROCKSDB_MAJOR << "." << ROCKSDB_MINOR << "." << ROCKSDB_PATCH
            << ", sqlite " << sqlite3_libversion() << "\n\n";

  // ---- 1. single durable append vs raw synced Put (same library and options) ----
  const Event single = SingleEvent();
  {
    auto log = Must(EventLog::Open(root / "single", OpenMode::kCreate), "open");
    auto raw = Must(EventLog::Open(root / "raw-single", OpenMode::kCreate), "open raw");
    Grow(*log, 1000);
    const int kRounds = 200;
    std::vector<double> tm, rw;
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (int r = 0; r < kRounds; ++r) {
      double t0 = Now();
      Must(log->Append(single), "append");
      tm.push_back(Now() - t0);
      const std::string value = EncodedStored(static_cast<uint64_t>(r + 1), single);
      t0 = Now();
      auto st = raw->raw_db()->Put(wo, raw->events_cf(), tidemark::store::SeqKey(static_cast<uint64_t>(r + 1)), value);
      rw.push_back(Now() - t0);
      if (!st.ok()) Die("raw put", Status::IoError(st.ToString()));
    }
    const double a = Median(tm), b = Median(rw);
    AddRow({"1", "durable single append (median of 200)", Fmt(a * 1e6, "us", 0),
            "raw Put sync=true " + Fmt(b * 1e6, "us", 0), Ratio(b / a), ">= 0.9x",
            Verdict(b / a >= 0.9)});

    // ---- 3. vs SQLite WAL synchronous=FULL, same event bytes ----
    sqlite3* db = nullptr;
    const std::string sq = (root / "events.sqlite").string();
    if (sqlite3_open(sq.c_str(), &db) != SQLITE_OK) Die("sqlite", Status::IoError(sqlite3_errmsg(db)));
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE events(seq INTEGER PRIMARY KEY, body BLOB NOT NULL);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* ins = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO events(seq, body) VALUES(?, ?)", -1, &ins, nullptr);
    std::vector<double> sl, tm2;
    for (int r = 0; r < kRounds; ++r) {
      const std::string value = EncodedStored(static_cast<uint64_t>(r + 1), single);
      double t0 = Now();
      sqlite3_bind_int64(ins, 1, r + 1);
      sqlite3_bind_blob(ins, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
      if (sqlite3_step(ins) != SQLITE_DONE) Die("sqlite insert", Status::IoError(sqlite3_errmsg(db)));
      sqlite3_reset(ins);
      sl.push_back(Now() - t0);
      t0 = Now();
      Must(log->Append(single), "append");
      tm2.push_back(Now() - t0);
    }
    sqlite3_finalize(ins);
    sqlite3_close(db);
    const double c = Median(tm2), d = Median(sl);
    AddRow({"3", "durable append vs SQLite insert (median of 200)", Fmt(c * 1e6, "us", 0),
            "SQLite WAL synchronous=FULL " + Fmt(d * 1e6, "us", 0), Ratio(d / c), ">= 1x (not slower)",
            Verdict(d / c >= 1.0)});

    // ---- 2. batch of 10,000 observed changes vs raw synced WriteBatch ----
    std::vector<double> tb, rb;
    for (int r = 0; r < 5; ++r) {
      std::vector<Event> batch;
      for (int k = 0; k < 10'000; ++k) {
        Event e;
        e.run = "bench-batch";
        e.step = "setup";
        e.body = tidemark::Observed{Res(static_cast<uint64_t>(k)), Value::Absent(),
                                    Value::RegDword(static_cast<uint32_t>(k)), false};
        batch.push_back(std::move(e));
      }
      // Raw: the same bytes (pre-encoded, as a raw store would be given them).
      rocksdb::WriteBatch wb;
      for (int k = 0; k < 10'000; ++k) {
        const uint64_t key = 1'000'000 + static_cast<uint64_t>(r) * 10'000 + static_cast<uint64_t>(k);
        wb.Put(raw->events_cf(), tidemark::store::SeqKey(key), EncodedStored(key, batch[static_cast<size_t>(k)]));
      }
      double t0 = Now();
      Must(log->AppendBatch(std::move(batch)), "append batch");
      tb.push_back(Now() - t0);
      t0 = Now();
      auto st = raw->raw_db()->Write(wo, &wb);
      rb.push_back(Now() - t0);
      if (!st.ok()) Die("raw batch", Status::IoError(st.ToString()));
    }
    const double e = Median(tb), f = Median(rb);
    AddRow({"2", "durable batch of 10,000 observed (median of 5)", Fmt(e * 1e3, "ms", 1),
            "raw WriteBatch sync=true " + Fmt(f * 1e3, "ms", 1), Ratio(f / e), ">= 0.9x",
            Verdict(f / e >= 0.9)});
  }

  // ---- build the big journal; 7. append cost at 10k / 100k / N ----
  const fs::path big = root / "big";
  std::string appends;
  double worst = 0, best = 1e9;
  {
    auto log = Must(EventLog::Open(big, OpenMode::kCreate), "open big");
    const double t0 = Now();
    for (uint64_t size : {uint64_t{10'000}, uint64_t{100'000}, events}) {
      if (size > events) continue;
      Grow(*log, size);
      std::vector<double> t;
      for (int r = 0; r < 100; ++r) {
        const double a = Now();
        Must(log->Append(single), "append");
        t.push_back(Now() - a);
      }
      const double m = Median(t);
      worst = std::max(worst, m);
      best = std::min(best, m);
      appends += (appends.empty() ? "" : " / ") + Fmt(m * 1e6, "us", 0) + " @" + std::to_string(size);
    }
    Must(tidemark::engine::WriteSnapshot(*log), "final snapshot");
    std::cout << "  (built " << log->head().seq << " events in " << Fmt(Now() - t0, "s", 1) << ")\n";
  }
  AddRow({"7", "append cost at 10k / 100k / N events (median of 100)", appends,
          "smallest " + Fmt(best * 1e6, "us", 0), Ratio(worst / best) + " spread", "flat (<= 1.5x)",
          Verdict(worst / best <= 1.5)});

  {
    auto log = Must(EventLog::Open(big, OpenMode::kReadOnly), "open big");
    const uint64_t n = log->head().seq;
    // ---- 4. full fold vs raw iterator scan ----
    std::vector<double> tf, tr, tv;
    for (int r = 0; r < 3; ++r) {
      double t0 = Now();
      rocksdb::ReadOptions ro;
      ro.verify_checksums = true;
      std::unique_ptr<rocksdb::Iterator> it(log->raw_db()->NewIterator(ro, log->events_cf()));
      size_t bytes = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next()) bytes += it->value().size();
      tr.push_back(Now() - t0);
      t0 = Now();
      tidemark::engine::State state;
      Must(log->Scan(1, 0, false, [&](const tidemark::store::StoredEvent& e) {
        state.Apply(e.event);
        return true;
      }), "fold");
      tf.push_back(Now() - t0);
      t0 = Now();
      auto rep = Must(log->Verify(), "verify");
      if (!rep.ok) Die("verify", Status::Corruption(rep.problem));
      tv.push_back(Now() - t0);
    }
    const double fold = Median(tf), scan = Median(tr), ver = Median(tv);
    AddRow({"4", "full fold of " + std::to_string(n) + " events, no snapshot (median of 3)",
            Fmt(fold, "s"), "raw iterator scan " + Fmt(scan, "s"), Ratio(scan / fold), ">= 0.5x",
            Verdict(scan / fold >= 0.5)});
    AddRow({"5", "verify of " + std::to_string(n) + " events (median of 3)", Fmt(ver, "s"),
            "raw iterator scan " + Fmt(scan, "s"), Ratio(scan / ver), ">= 0.6x",
            Verdict(scan / ver >= 0.6)});
  }

  // ---- 6. history, state --at head, open + status (in-process CLI) ----
  {
    const std::string j = big.string();
    const std::string res = Res(1234).Identity();
    std::vector<double> th, ts, tst;
    std::string out;
    for (int r = 0; r < 5; ++r) {
      double t0 = Now();
      if (RunCli({"history", res, "--journal", j}, &out) != 0) return 1;
      th.push_back(Now() - t0);
      t0 = Now();
      if (RunCli({"state", "--journal", j}, &out) != 0) return 1;  // at the head
      ts.push_back(Now() - t0);
      t0 = Now();
      if (RunCli({"status", "--journal", j}, &out) != 0) return 1;
      tst.push_back(Now() - t0);
    }
    tidemark::engine::FoldInfo info;
    {
      auto log = Must(EventLog::Open(big, OpenMode::kReadOnly), "open big");
      Must(tidemark::engine::FoldFromSnapshots(*log, 0, &info), "fold");
    }
    const double h = Median(th), s = Median(ts), st = Median(tst);
    AddRow({"6a", "history of one resource", Fmt(h * 1e3, "ms", 1), "-", "-", "milliseconds",
            Verdict(h < 1.0)});
    AddRow({"6b", "state --at head (from snapshot " + std::to_string(info.snapshot_seq) + " + " +
                      std::to_string(info.events_folded) + " events)",
            Fmt(s * 1e3, "ms", 1), "-", "-", "milliseconds", Verdict(s < 1.0)});
    AddRow({"6c", "open + status", Fmt(st * 1e3, "ms", 1), "goal 100 ms", Ratio(0.1 / st),
            "< 100 ms", Verdict(st < 0.1)});
  }

  // ---- 8. scan + diff of a 50,000-value registry subtree ----
  {
    tidemark::targets::Hive hive;
    const std::string sub = "HKLM\\SOFTWARE\\Wow6432Node\\BenchTree";
    for (int k = 0; k < 50'000; ++k) {
      Must(hive.SetValue(sub + "\\K" + std::to_string(k / 100), "V" + std::to_string(k),
                         Value::RegString("value " + std::to_string(k))),
           "hive");
    }
    const fs::path before_file = root / "before.reg", after_file = root / "after.reg";
    Must(hive.Save(before_file), "save hive");
    for (int k = 0; k < 50'000; k += 100) {
      Must(hive.SetValue(sub + "\\K" + std::to_string(k / 100), "V" + std::to_string(k),
                         Value::RegDword(static_cast<uint32_t>(k))),
           "hive");
    }
    Must(hive.Save(after_file), "save hive");
    tidemark::targets::HiveRegistryTarget before("SERVER1", before_file), after("SERVER1", after_file);
    std::vector<double> td, tr;
    size_t changes = 0;
    for (int r = 0; r < 3; ++r) {
      double t0 = Now();
      tidemark::snapshots::ScanImage a, b;
      tidemark::snapshots::AddEntries(Must(before.Enumerate(sub), "scan"), a);
      tidemark::snapshots::AddEntries(Must(after.Enumerate(sub), "scan"), b);
      changes = tidemark::snapshots::Diff(a, b).size();
      td.push_back(Now() - t0);
      t0 = Now();
      size_t bytes = 0;
      for (const auto& f : {before_file, after_file}) {
        std::ifstream in(f, std::ios::binary);
        std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        bytes += s.size();
      }
      tr.push_back(Now() - t0);
      if (bytes == 0) Die("read hive", Status::IoError("empty"));
    }
    const double d = Median(td), rr = Median(tr);
    AddRow({"8", "scan + diff of a 50,000-value subtree, twice (" + std::to_string(changes) +
                     " changes)",
            Fmt(d * 1e3, "ms", 0), "reading both .reg files " + Fmt(rr * 1e3, "ms", 1),
            Ratio(rr / d), "report", "-"});
  }

  // ---- 9. peak RSS while folding ----
  {
    const long fold_kb = ChildHwm("fold", big);
    const long scan_kb = ChildHwm("scan", big);
    AddRow({"9", "peak RSS folding all events (child process VmHWM)",
            Fmt(static_cast<double>(fold_kb) / 1024.0, "MB", 1),
            "raw scan " + Fmt(static_cast<double>(scan_kb) / 1024.0, "MB", 1),
            Ratio(static_cast<double>(fold_kb) / static_cast<double>(scan_kb)), "< 150 MB",
            Verdict(fold_kb > 0 && fold_kb < 150 * 1024)});
  }

  std::cout << "\n| # | measure | tidemark | reference | ratio | goal | |\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : g_rows) {
    std::cout << "| " << r.id << " | " << r.what << " | " << r.figure << " | " << r.reference
              << " | " << r.ratio << " | " << r.goal << " | " << r.verdict << " |\n";
  }
  std::cout << "\ntotal time " << Fmt(Now() - t_start, "s", 1) << "\n";
  std::error_code ec;
  fs::remove_all(root, ec);
  return 0;
}
