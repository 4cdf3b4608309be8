// Bad input table: malformed YAML, unknown actions, cyclic or missing
// parameters, unknown registry roots, `..` in file paths, non-UTF-8 bytes,
// unknown hosts — each refused with a clear message naming the file and line or
// the resource, with no target and no journal event changed. Plus the big and
// odd inputs that must work exactly (10 MB file content, 1 MB registry binary,
// CRLF/LF mixtures, unicode names), a read-only journal directory and a journal
// from a newer format.
#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>

#include "engine/targets/registry_target.h"
#include "store/event_log.h"
#include "store/sha256.h"
#include "store/value.h"
#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::MiniSite;
using testing::ReadFileBytes;
using testing::RunTidemark;
using testing::RunTidemarkProcess;
using testing::TempDir;
using testing::WriteFileBytes;

uint64_t HeadSeq(const MiniSite& site) {
  auto log = store::EventLog::Open(site.journal(), store::OpenMode::kReadOnly);
  return log.ok() ? log.value()->head().seq : 0;
}

std::string OneAction(const std::string& action) {
  return "name: bad-input\nsteps:\n  - id: s\n    title: T\n    actions:\n      - " + action + "\n";
}

struct BadPlan {
  const char* what;
  std::string yaml;
  int exit_code;
  std::vector<std::string> words;  // all must appear in stderr
};

TEST(BadInputTest, EveryBadPlanIsRefusedClearlyAndChangesNothing) {
  const std::vector<BadPlan> table = {
      {"malformed YAML", "name: x\nsteps:\n  - id: [a\n    title: T\n", 2, {"bad.yaml:"}},
      {"tab-indented YAML", "name: x\nsteps:\n\t- id: a\n", 2, {"bad.yaml:"}},
      {"unknown action", OneAction("file.rename: { host: S1, path: 'C:\\a', to: 'C:\\b' }"), 2,
       {"bad.yaml:6:", "unknown action 'file.rename'"}},
      {"missing parameter",
       OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\X', name: a, value: \"${nope}\" }"), 2,
       {"bad.yaml:", "nope"}},
      {"cyclic parameters",
       "name: c\nparameters:\n  a: { default: \"x${b}\" }\n  b: { default: \"y${a}\" }\n" +
           OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\X', name: a, value: \"${a}\" }")
               .substr(std::string("name: bad-input\n").size()),
       2, {"bad.yaml:"}},
      {"unknown registry root", OneAction("registry.set: { host: S1, key: 'HKXX\\SOFTWARE\\X', name: a, value: b }"),
       2, {"HKXX"}},
      {"dot-dot in a file path",
       OneAction("file.write: { host: S1, path: 'C:\\DataCenter\\..\\..\\..\\escape.txt', content: x }"), 2,
       {".."}},
      {"non-UTF-8 bytes", OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\X', name: a, value: \"\xff\xfe\x80\" }"),
       2, {"bad.yaml"}},
      {"unknown host", OneAction("registry.set: { host: S9, key: 'HKLM\\SOFTWARE\\X', name: a, value: b }"), 2,
       {"S9"}},
      {"no steps", "name: empty\n", 2, {"bad.yaml"}},
  };
  TempDir dir;
  MiniSite site(dir.path());
  ASSERT_EQ(RunTidemark(WithJournal(site, {"init"})).exit_code, 0);
  const std::string before = site.Fingerprint();
  const uint64_t head = HeadSeq(site);
  int cases = 0;
  for (const auto& c : table) {
    SCOPED_TRACE(c.what);
    const auto plan = site.WritePlan("bad", c.yaml);
    CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
    EXPECT_EQ(r.exit_code, c.exit_code) << r.out << r.err;
    for (const auto& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << "missing '" << w << "' in: " << r.err;
    EXPECT_EQ(site.Fingerprint(), before);
    EXPECT_EQ(HeadSeq(site), head) << "the journal changed";
    EXPECT_FALSE(fs::exists(site.dir() / "escape.txt"));
    // `plan check` says the same without a journal.
    CliResult check = RunTidemark({"plan", "check", plan.string(), "--env", site.env_path().string()});
    EXPECT_EQ(check.exit_code, c.exit_code) << check.out << check.err;
    ++cases;
  }
  std::printf("[bad-input] %d bad plans refused\n", cases);
  site.StopServices();
}

TEST(BadInputTest, BadEnvironmentIsRefusedWithItsLine) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string before = site.Fingerprint();
  WriteFileBytes(dir / "bad-env.yaml", "name: x\nhosts:\n  S1:\n    services: { backend: carrier-pigeon }\n");
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", (dir / "bad-env.yaml").string()}));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("bad-env.yaml:4"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), before);
  EXPECT_FALSE(fs::exists(site.journal()));
  site.StopServices();
}

TEST(BadInputTest, BadBackupTimeoutIsRefusedWithItsLine) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  for (const std::string bad : {"0", "-5", "two hours", "604801", "[1]"}) {
    WriteFileBytes(dir / "bad-env.yaml", "name: x\ndatabases:\n  registry:\n    connection: x\n"
                                         "    backup_timeout: " + bad + "\n");
    CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", (dir / "bad-env.yaml").string()}));
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("bad-env.yaml:5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("backup_timeout"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(site.journal()));
  site.StopServices();
}

// Applies `yaml`, checks `check` after it, rolls back to pristine.
void ApplyAndRollBack(MiniSite& site, const std::string& yaml, const std::function<void()>& check) {
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("odd", yaml);
  CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err.substr(0, 2000);
  check();
  r = RunTidemark(WithJournal(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err.substr(0, 2000);
  EXPECT_EQ(site.Fingerprint(), pristine);
  EXPECT_EQ(RunTidemark(WithJournal(site, {"verify"})).exit_code, 0);
}

TEST(BadInputTest, TenMegabyteFileWithMixedLineEndingsRoundTrips) {
  TempDir dir;
  MiniSite site(dir.path());
  std::string big;
  for (int i = 0; big.size() < 10 * 1024 * 1024; ++i) {
    big += "line " + std::to_string(i) + (i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
  }
  big += "\\100\\Tools\\BINN\\OSQL.EXE\r\n";
  const fs::path file = site.dir() / "hosts/S1/C/DataCenter/Big.cmd";
  WriteFileBytes(file, big);
  ApplyAndRollBack(site, OneAction("file.replace: { host: S1, path: 'C:\\DataCenter\\Big.cmd', from: '\\100\\', to: '\\130\\' }"),
                   [&] {
                     const std::string now = ReadFileBytes(file);
                     EXPECT_EQ(now.size(), big.size());
                     EXPECT_EQ(now.substr(0, big.size() - 40), big.substr(0, big.size() - 40));
                     EXPECT_NE(now.find("\\130\\Tools"), std::string::npos);
                   });
  EXPECT_EQ(ReadFileBytes(file), big);
  site.StopServices();
}

TEST(BadInputTest, OneMegabyteRegistryBinaryRoundTrips) {
  TempDir dir;
  MiniSite site(dir.path());
  std::string hex, raw;
  for (int i = 0; i < 1024 * 1024; ++i) {
    const int b = (i * 131 + 7) & 0xFF;
    raw.push_back(static_cast<char>(b));
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", b);
    hex += buf;
  }
  const Resource res = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "Blob");
  ApplyAndRollBack(site,
                   OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: Blob, "
                             "type: REG_BINARY, value: \"" + hex + "\" }"),
                   [&] {
                     targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
                     auto v = reg.Read(res);
                     ASSERT_TRUE(v.ok()) << v.status().ToString();
                     EXPECT_EQ(v.value(), Value::Registry(kRegBinary, raw));
                   });
  site.StopServices();
}

TEST(BadInputTest, UnicodeNamesAndCrlfPlanRoundTrip) {
  TempDir dir;
  MiniSite site(dir.path());
  std::string yaml = OneAction(
      "registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Ünïcødé 名前', name: 'Wert €', value: 'Größe ✓', create_key: true }\n"
      "      - file.write: { host: S1, path: 'C:\\DataCenter\\Résumé 日本.txt', content: \"naïve\\r\\nmixed\\n\" }");
  // CRLF on every other line: the parser must not care.
  std::string mixed;
  int line = 0;
  for (char c : yaml) {
    if (c == '\n' && (line++ % 2 == 0)) mixed += "\r";
    mixed += c;
  }
  ApplyAndRollBack(site, mixed, [&] {
    targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
    auto v = reg.Read(Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Ünïcødé 名前", "Wert €"));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v.value(), Value::RegString("Größe ✓"));
    EXPECT_EQ(ReadFileBytes(site.dir() / "hosts/S1/C/DataCenter/Résumé 日本.txt"), "naïve\r\nmixed\n");
  });
  site.StopServices();
}

TEST(BadInputTest, ReadOnlyJournalDirectoryIsRefusedClearly) {
  TempDir dir;
  MiniSite site(dir.path());
  ASSERT_EQ(RunTidemark(WithJournal(site, {"init"})).exit_code, 0);
  ASSERT_EQ(RunTidemark(WithJournal(site, {"note", "first"})).exit_code, 0);
  const uint64_t head = HeadSeq(site);
  std::vector<std::string> prefix;
  if (geteuid() == 0) {
    // root ignores permission bits: run tidemark as `nobody` on a journal it owns.
    if (testing::RunProgram({"runuser", "-u", "nobody", "--", "true"}).exit_code != 0) {
      GTEST_SKIP() << "running as root without runuser/nobody";
    }
    // A clone inside a folder only root may enter (mktemp -d is 0700) hides the binary from nobody.
    if (testing::RunProgram({"runuser", "-u", "nobody", "--", TIDEMARK_BINARY, "--help"}).exit_code != 0) {
      GTEST_SKIP() << "`nobody` cannot run " << TIDEMARK_BINARY << " (a parent folder is not searchable)";
    }
    chmod(dir.path().c_str(), 0755);
    chmod(site.dir().c_str(), 0755);
    ASSERT_EQ(testing::RunProgram({"chown", "-R", "nobody", site.journal().string()}).exit_code, 0);
    prefix = {"runuser", "-u", "nobody", "--"};
  }
  chmod(site.journal().c_str(), 0500);
  std::vector<std::string> argv = prefix;
  argv.push_back(TIDEMARK_BINARY);
  for (const auto& a : WithJournal(site, {"note", "second"})) argv.push_back(a);
  CliResult r = testing::RunProgram(argv);
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.exit_code, 6) << "a permission problem is not corruption: " << r.err;
  EXPECT_NE(r.err.find(site.journal().string()), std::string::npos) << r.err;
  EXPECT_TRUE(r.err.find("ermission") != std::string::npos || r.err.find("read-only") != std::string::npos) << r.err;
  chmod(site.journal().c_str(), 0700);
  EXPECT_EQ(HeadSeq(site), head);
  site.StopServices();
}

TEST(BadInputTest, JournalFromANewerFormatIsRefusedWithoutChanges) {
  TempDir dir;
  const fs::path journal = dir / "journal";
  ASSERT_EQ(RunTidemark({"init", "--journal", journal.string()}).exit_code, 0);
  ASSERT_EQ(RunTidemark({"note", "hello", "--journal", journal.string()}).exit_code, 0);
  {
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), journal.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), journal.string(), cfs, &handles, &db).ok());
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta") {
        rocksdb::WriteOptions wo;
        wo.sync = true;
        ASSERT_TRUE(db->Put(wo, handles[i], "format_version", std::to_string(store::kFormatVersion + 1)).ok());
      }
    }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  for (const std::vector<std::string>& cmd :
       std::vector<std::vector<std::string>>{{"note", "more"}, {"verify"}, {"log"}, {"status"}}) {
    std::vector<std::string> args = cmd;
    args.push_back("--journal");
    args.push_back(journal.string());
    CliResult r = RunTidemark(args);
    EXPECT_EQ(r.exit_code, 2) << cmd[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("format"), std::string::npos) << r.err;
  }
}

// Malformed arguments to the reading and writing commands: exit 2 naming the
// argument, never a crash, an integrity alarm (6) or an appended event.
struct BadArgs {
  const char* what;
  std::vector<std::string> args;
  std::string word;  // must appear in stderr
};

TEST(BadInputTest, EveryBadArgumentIsExitTwoNeverACrashOrAnIntegrityAlarm) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  ASSERT_EQ(RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()})).exit_code, 0);
  // A note recorded for a run that does not exist (as an older tidemark let through).
  {
    auto log = store::EventLog::Open(site.journal(), store::OpenMode::kWrite);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Event e;
    e.run = "CHG-998";
    e.body = Note{"orphan note"};
    ASSERT_TRUE(log.value()->Append(std::move(e)).ok());
  }
  const std::vector<BadArgs> table = {
      {"note for an unknown run", {"note", "t", "--run", "CHG-999"}, "CHG-999"},
      {"status of an unknown run", {"status", "--run", "CHG-999"}, "CHG-999"},
      {"resume of an unknown run", {"resume", "--run", "CHG-999"}, "CHG-999"},
      {"status of a run that only has a note", {"status", "--run", "CHG-998"}, "CHG-998"},
      {"resume of a run that only has a note", {"resume", "--run", "CHG-998"}, "CHG-998"},
      {"expect-head not a hash", {"verify", "--expect-head", "deadbeef"}, "--expect-head"},
      {"expect-head with non-hex digits", {"verify", "--expect-head", std::string(64, 'z')}, "--expect-head"},
  };
  const uint64_t head = HeadSeq(site);
  for (const auto& c : table) {
    SCOPED_TRACE(c.what);
    CliResult r = RunTidemarkProcess(WithJournal(site, c.args));
    EXPECT_EQ(r.signal, 0) << r.err;
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(c.word), std::string::npos) << r.err;
    EXPECT_EQ(HeadSeq(site), head) << "the journal changed";
  }
  // A real head hash is accepted in either case.
  auto log = store::EventLog::Open(site.journal(), store::OpenMode::kReadOnly);
  ASSERT_TRUE(log.ok());
  std::string upper = ToHex(log.value()->head().hash);
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  log = Status::NotFound("closed");
  EXPECT_EQ(RunTidemark(WithJournal(site, {"verify", "--expect-head", upper})).exit_code, 0);
  std::printf("[bad-input] %zu bad arguments refused with exit 2\n", table.size());
  site.StopServices();
}

TEST(BadInputTest, RollbackDryRunExitCodeDoesNotDependOnTheOutputFormat) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  ASSERT_EQ(RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()})).exit_code, 0);
  EXPECT_EQ(RunTidemark(WithJournal(site, {"rollback", "--dry-run"})).exit_code, 0);
  EXPECT_EQ(RunTidemark(WithJournal(site, {"rollback", "--dry-run", "--json"})).exit_code, 0);
  // Someone else changes a value the run set: the reverse plan has a conflict.
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  const Resource pref = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry");
  ASSERT_TRUE(reg.Write(pref, Value::RegString("S2"), Value::RegString("S3")).ok());
  CliResult text = RunTidemark(WithJournal(site, {"rollback", "--dry-run"}));
  CliResult json = RunTidemark(WithJournal(site, {"rollback", "--dry-run", "--json"}));
  EXPECT_EQ(text.exit_code, 3) << text.out << text.err;
  EXPECT_EQ(json.exit_code, 3) << json.out << json.err;
  EXPECT_NE(json.out.find("\"conflicts\":1"), std::string::npos) << json.out;
  site.StopServices();
}

TEST(BadInputTest, ParametersThatDoubleAtEveryLevelAreBoundedAndNamed) {
  TempDir dir;
  MiniSite site(dir.path());
  // p0 is 2 bytes, pN 2^(N+1): p20 is the first over the 1 MiB bound.
  std::string params = "parameters:\n  p0: { default: \"ab\" }\n";
  for (int i = 1; i <= 39; ++i) {
    params += "  p" + std::to_string(i) + ": { default: \"${p" + std::to_string(i - 1) + "}${p" +
              std::to_string(i - 1) + "}\" }\n";
  }
  const std::string yaml = "name: doubling\n" + params +
                           OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\X', name: a, value: \"${p39}\" }")
                               .substr(std::string("name: bad-input\n").size());
  const auto plan_path = site.WritePlan("doubling", yaml);
  const auto start = std::chrono::steady_clock::now();
  CliResult r = RunTidemark({"plan", "check", plan_path.string(), "--env", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("parameter 'p20'"), std::string::npos) << r.err.substr(0, 2000);
  EXPECT_NE(r.err.find("doubling.yaml:"), std::string::npos) << r.err.substr(0, 2000);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  site.StopServices();
}

TEST(BadInputTest, DollarDollarBraceIsALiteralInParameterValues) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string yaml =
      "name: literal\nparameters:\n  pw: { default: x, secret: true }\n  both: { default: \"$${pw}=${pw}\" }\n" +
      OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: Pw, value: \"${pw}\" }\n"
                "      - registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: Both, value: \"${both}\" }")
          .substr(std::string("name: bad-input\n").size());
  const auto plan = site.WritePlan("literal", yaml);
  CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string(),
                                               "--set", "pw=Pa$${ss"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  auto pw = reg.Read(Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "Pw"));
  auto both = reg.Read(Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "Both"));
  ASSERT_TRUE(pw.ok() && both.ok());
  EXPECT_EQ(pw.value(), Value::RegString("Pa${ss"));
  EXPECT_EQ(both.value(), Value::RegString("${pw}=Pa${ss"));
  site.StopServices();
}

// No terminal and no --yes: a manual step later in the plan could never be
// confirmed, so apply refuses before the first change (not half-way at that
// step), and so does resume for the manual steps still to run.
TEST(BadInputTest, ManualStepWithNoWayToConfirmIsRefusedBeforeAnyChange) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string before = site.Fingerprint();
  const std::string yaml =
      OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }") +
      "  - id: console\n    title: In the console\n    actions:\n"
      "      - manual: { prompt: 'Deselect Allow backups in DCMC' }\n";
  const auto plan = site.WritePlan("needs-confirm", yaml);
  const auto apply = WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()});
  CliResult r = RunTidemarkProcess(apply);  // stdin: not a terminal
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("1 manual step(s) to confirm (the first in step console)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pass --yes"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), before);
  EXPECT_EQ(HeadSeq(site), 0u);
  // A run stopped before its manual step (by a failure) resumes only with a way to confirm.
  auto with_yes = apply;
  with_yes.push_back("--yes");
  r = RunTidemarkProcess(with_yes, {"TIDEMARK_CRASH_AFTER_SYNCS=4"});
  ASSERT_NE(r.exit_code, 0) << r.out << r.err;
  const uint64_t head = HeadSeq(site);
  r = RunTidemarkProcess(WithJournal(site, {"resume"}));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no terminal to ask at"), std::string::npos) << r.err;
  EXPECT_EQ(HeadSeq(site), head);
  r = RunTidemarkProcess(WithJournal(site, {"resume", "--yes"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("manual step confirmed by --yes: Deselect Allow backups in DCMC"), std::string::npos) << r.out;
  site.StopServices();
}

// Before the first change apply reaches every host, hive, folder, service
// manager and database the plan touches, and parses every hive: a broken one
// (on the second host, touched only in step 2) is exit 2 with nothing
// changed, and env check and plan check say the same with exit 2.
// UTF-16LE (with its BOM when `bom`) of ASCII text, as `reg export` writes.
std::string Utf16le(const std::string& ascii, bool bom = false) {
  std::string out = bom ? std::string("\xff\xfe", 2) : "";
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

TEST(BadInputTest, BrokenEnvironmentIsFoundBeforeTheFirstChange) {
  const std::vector<std::pair<const char*, std::string>> broken_hives = {
      {"empty", ""},
      {"cut inside a string", "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"Name\"=\"abc"},
      {"odd-length UTF-16", std::string("\xff\xfeW\0i\0n\0", 8) + "x"},
      {"lone surrogate", Utf16le("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"Name\"=\"a", true) +
                             std::string("\x00\xd8", 2) + Utf16le("b\"\r\n")},
  };
  for (const auto& [what, bytes] : broken_hives) {
    TempDir dir;
    MiniSite site(dir.path());
    const std::string before = site.Fingerprint();
    WriteFileBytes(site.dir() / "hives/S2.reg", bytes);
    std::string env = ReadFileBytes(site.env_path());
    env.replace(env.find("databases:"), 0, "  S2:\n    registry: hives/S2.reg\n");
    WriteFileBytes(site.env_path(), env);
    const std::string yaml =
        OneAction("registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }") +
        (MiniSite::HasServices() ? "      - service.stop: { host: S1, name: Agent }\n" : "") +
        "  - id: web\n    title: The web server\n    actions:\n"
        "      - registry.set: { host: S2, key: 'HKLM\\SOFTWARE\\X', name: Name, value: new }\n";
    const auto plan = site.WritePlan("two-hosts", yaml);
    CliResult r = RunTidemark(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
    EXPECT_EQ(r.exit_code, 2) << what << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("registry S2: "), std::string::npos) << what << ": " << r.err;
    EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << what << ": " << r.err;
    EXPECT_EQ(site.Fingerprint(), before) << what;
    EXPECT_EQ(HeadSeq(site), 0u) << what;
    r = RunTidemark({"env", "check", site.env_path().string()});
    EXPECT_EQ(r.exit_code, 2) << what << ": " << r.out << r.err;
    r = RunTidemark({"plan", "check", plan.string(), "--env", site.env_path().string()});
    EXPECT_EQ(r.exit_code, 2) << what << ": " << r.out << r.err;
    EXPECT_NE(r.out.find("UNREACHABLE registry S2"), std::string::npos) << what << ": " << r.out;
    site.StopServices();
  }
}

// A target that does not exist is an error unless the environment says it
// may be created: a hive path that names no file, a SQLite file that is not
// there (env check must not create it either).
TEST(BadInputTest, MissingHiveOrSqliteFileIsAnErrorUnlessTheEnvironmentAllowsCreating) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string before = site.Fingerprint();
  const std::string original_env = ReadFileBytes(site.env_path());
  const auto plan = site.WritePlan("one", OneAction(
      "registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }") +
      "      - sql.update: { database: registry, table: OutflowServices, key: { ServerId: 1 }, set: { Note: x } }\n");
  const auto apply = WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()});
  // 1. the hive path names no file
  std::string env = original_env;
  env.replace(env.find("hives/S1.reg"), std::string("hives/S1.reg").size(), "hives/S1-typo.reg");
  WriteFileBytes(site.env_path(), env);
  CliResult r = RunTidemark(apply);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("S1-typo.reg does not exist"), std::string::npos) << r.err;
  r = RunTidemark({"env", "check", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(fs::exists(site.dir() / "hives/S1-typo.reg"));
  // ... unless the environment says tidemark may create it.
  env.replace(env.find("hives/S1-typo.reg"), std::string("hives/S1-typo.reg").size(),
              "{ hive: hives/S1-new.reg, create: true }");
  WriteFileBytes(site.env_path(), env);
  r = RunTidemark({"env", "check", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // 2. the SQLite file is not there
  env = original_env;
  const size_t db = env.find("registry.db");
  ASSERT_NE(db, std::string::npos) << env;
  env.replace(db, std::string("registry.db").size(), "no-such.db");
  WriteFileBytes(site.env_path(), env);
  r = RunTidemark(apply);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("no-such.db does not exist"), std::string::npos) << r.err;
  r = RunTidemark({"env", "check", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_FALSE(fs::exists(site.dir() / "no-such.db")) << "env check created the database file";
  WriteFileBytes(site.env_path(), original_env);
  EXPECT_EQ(site.Fingerprint(), before);
  EXPECT_EQ(HeadSeq(site), 0u);
  site.StopServices();
}

}  // namespace
}  // namespace tidemark::faults
