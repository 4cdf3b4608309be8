// End-to-end engine tests on a MiniSite with real hive files, SQLite and
// PostgreSQL over ODBC, files and processes: apply, rollback to pristine,
// apply again, conflicts, observed changes from an exec step.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/targets/registry_target.h"
#include "engine/targets/sql_target.h"
#include "store/event_log.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

std::vector<std::string> J(const MiniSite& site, std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(site.journal().string());
  return args;
}

Value RegValue(const MiniSite& site, const std::string& key, const std::string& name) {
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  return reg.Read(Resource::RegistryValue("S1", key, name)).value();
}

void ApplyRollbackApply(MiniSite& site) {
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("finished"), std::string::npos) << r.out;
  // Every target as planned.
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry"),
            Value::RegString("S2"));
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SSWS",
                     "com.connected.ssw.downloadStagingDir"),
            Value::RegString("D:\\d1scratch"));
  EXPECT_NE(testing::ReadFileBytes(site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd")
                .find("\\130\\Tools\\BINN\\OSQL.EXE\" -E -i daily.sql\r\n"),
            std::string::npos);
  const std::string applied = site.Fingerprint();
  EXPECT_NE(applied, pristine);
  EXPECT_NE(applied.find("https://DT1-CN:9443/DataTransfer"), std::string::npos) << applied;

  r = RunTidemark(J(site, {"rollback", "--dry-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("DB_PreferedRegistry"), std::string::npos) << r.out;
  EXPECT_EQ(site.Fingerprint(), applied) << "dry run changed something";

  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);

  r = RunTidemark(J(site, {"drift"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), applied);

  // Roll back to the checkpoint, apply again, roll back to the start: the
  // journal tells the whole story and the site ends pristine.
  r = RunTidemark(J(site, {"rollback", "--to", "pre-upgrade"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(site.Fingerprint(), pristine);
  r = RunTidemark(J(site, {"rollback", "--to", "start"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  r = RunTidemark(J(site, {"verify"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(ApplyRollbackTest, SqliteSiteRoundTripsByteForByte) {
  TempDir dir;
  MiniSite site(dir.path());
  ApplyRollbackApply(site);
}

class PostgresApplyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string reason;
    if (!testing::PostgresServer::Available(&reason)) {
      skip_reason_ = reason;
      return;
    }
    server_ = new testing::PostgresServer();
    Status st = server_->Start();
    if (st.ok()) st = server_->CreateDatabase("registry");
    if (!st.ok()) skip_reason_ = st.ToString();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << "PostgreSQL unavailable: " << skip_reason_;
  }
  static testing::PostgresServer* server_;
  static std::string skip_reason_;
};
testing::PostgresServer* PostgresApplyTest::server_ = nullptr;
std::string PostgresApplyTest::skip_reason_;

TEST_F(PostgresApplyTest, PostgresSiteRoundTripsByteForByte) {
  TempDir dir;
  MiniSite site(dir.path(), server_->ConnectionString("registry"));
  ApplyRollbackApply(site);
}

// A checkpoint whose pg_dump hangs (a fake found first through
// TIDEMARK_PG_BINDIR, there only to inject the fault) fails at the database's
// `backup_timeout` with a clear error; the run stops resumably.
TEST_F(PostgresApplyTest, HungBackupFailsTheCheckpointAtTheConfiguredTimeout) {
  TempDir dir;
  MiniSite site(dir.path(), server_->ConnectionString("registry"));
  std::ofstream(site.env_path(), std::ios::app) << "    backup_timeout: 1\n";
  fs::permissions(dir.path(), fs::perms::all);  // the fake may run as postgres (runuser)
  testing::WriteFileBytes(dir / "bin" / "pg_dump", "#!/bin/sh\nsleep 30\n");
  fs::permissions(dir / "bin", fs::perms::all);
  fs::permissions(dir / "bin" / "pg_dump", fs::perms::all);
  const auto plan = site.WritePlan("hung", R"(name: hung
steps:
  - id: backup
    title: Back up the SQL databases
    actions:
      - checkpoint: { name: pre-upgrade, databases: [registry] }
)");
  ::setenv("TIDEMARK_PG_BINDIR", (dir / "bin").c_str(), 1);
  const auto start = std::chrono::steady_clock::now();
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  const auto took = std::chrono::steady_clock::now() - start;
  ::unsetenv("TIDEMARK_PG_BINDIR");
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("backup of database registry failed: database registry: pg_dump timed out "
                       "after 1 s"),
            std::string::npos)
      << r.out << r.err;
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(ApplyRollbackTest, ConflictIsReportedNotOverwrittenUnlessForced) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  ASSERT_EQ(RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()})).exit_code, 0);
  // Someone else changes a value the run set.
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  const Resource pref = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry");
  ASSERT_TRUE(reg.Write(pref, Value::RegString("S2"), Value::RegString("S3")).ok());
  const std::string before = site.Fingerprint();
  CliResult r = RunTidemark(J(site, {"rollback"}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("DB_PreferedRegistry"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("S3"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), before) << "a conflicting rollback changed something";
  r = RunTidemark(J(site, {"rollback", "--force"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(reg.Read(pref).value(), Value::RegString("S1"));
  r = RunTidemark(J(site, {"log", "--kind", "decision", "--json"}));
  EXPECT_NE(r.out.find("\"choice\":\"force\""), std::string::npos) << r.out;
}

TEST(ApplyRollbackTest, ExecChangesAreObservedAndRolledBack) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto db = (site.dir() / "registry.db").string();
  const auto hive = (site.dir() / "hives/S1.reg").string();
  const auto script = (site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd").string();
  // An opaque "installer": edits the hive (appending UTF-16LE text, as a
  // second section of an existing key), a table and a file.
  const std::string cmd =
      "printf '\\r\\n[HKEY_LOCAL_MACHINE\\\\SOFTWARE\\\\Wow6432Node\\\\SupportCenter]\\r\\n"
      "\"Version\"=\"8.8.7\"\\r\\n\"InstalledBy\"=\"setup\"\\r\\n' | iconv -f UTF-8 -t UTF-16LE >> '" + hive + "'"
      " && sqlite3 '" + db + "' \"UPDATE OutflowServices SET secureFlag = 7 WHERE ServerId = 3\""
      " && printf 'REM patched\\r\\n' >> '" + script + "'"
      " && printf 'new\\r\\n' > '" + (site.dir() / "hosts/S1/C/DataCenter/new.txt").string() + "'";
  const auto plan = site.WritePlan("exec", std::string(R"(name: exec-test
watch:
  - registry: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node' }
  - table: { database: registry, table: OutflowServices }
  - folder: { host: S1, path: 'C:\DataCenter' }
steps:
  - id: setup
    title: Run the vendor setup
    actions:
      - exec: { shell: true, command: ")") + [&] {
        std::string escaped;
        for (char c : cmd) {
          if (c == '"' || c == '\\') escaped.push_back('\\');
          escaped.push_back(c);
        }
        return escaped;
      }() + "\" }\n");
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunTidemark(J(site, {"log", "--kind", "observed", "--json", "--oldest-first"}));
  EXPECT_NE(r.out.find("Version"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("InstalledBy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("secureFlag"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DailyMaint.cmd"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("new.txt"), std::string::npos) << r.out;
  EXPECT_NE(site.Fingerprint(), pristine);
  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

TEST(ApplyRollbackTest, BadPlanChangesNothingAndLeavesNoJournal) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("bad", "name: bad\nsteps:\n  - id: a\n    title: A\n    actions:\n"
                                          "      - registry.sett: { host: S1 }\n");
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.yaml:6:9"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("unknown action 'registry.sett'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(site.journal()));
}

TEST(ApplyRollbackTest, FailedActionStopsRunWithExitFourAndResumeFinishesIt) {
  TempDir dir;
  MiniSite site(dir.path());
  // The step asserts a value that is only true after an admin fixes it.
  const auto plan = site.WritePlan("assert", R"(name: assert-test
steps:
  - id: one
    title: First change
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
  - id: two
    title: Needs the version bumped
    actions:
      - assert: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: Version, equals: "8.8.7" }
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }
)");
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("8.8.7"), std::string::npos) << r.err;
  r = RunTidemark(J(site, {"status"}));
  EXPECT_NE(r.out.find("failed"), std::string::npos) << r.out;
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  const Resource version = Resource::RegistryValue("S1", "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter", "Version");
  ASSERT_TRUE(reg.Write(version, Value::RegString("8.8.6"), Value::RegString("8.8.7")).ok());
  r = RunTidemark(J(site, {"resume"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "AllowBackups"), Value::RegDword(0));
  r = RunTidemark(J(site, {"resume"}));
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("already finished"), std::string::npos) << r.out;
}


TEST(ApplyRollbackTest, RestoreDatabasesUsesTheCheckpointBackup) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  ASSERT_EQ(RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()})).exit_code, 0);
  // Without a checkpoint the option is refused and nothing changes.
  const std::string applied = site.Fingerprint();
  CliResult r = RunTidemark(J(site, {"rollback", "--to", "start", "--restore-databases"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(site.Fingerprint(), applied);
  r = RunTidemark(J(site, {"rollback", "--to", "pre-upgrade", "--restore-databases", "--dry-run"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("database restore"), std::string::npos) << r.out;
  r = RunTidemark(J(site, {"rollback", "--to", "pre-upgrade", "--restore-databases"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("restored database registry"), std::string::npos) << r.out;
  // The SQL cells are back (from the backup, recorded as observed changes);
  // the registry changes before the checkpoint are still in place.
  const std::string mid = site.Fingerprint();
  EXPECT_NE(mid.find("https://dt1.example.corp:9443/DataTransfer"), std::string::npos) << mid;
  EXPECT_EQ(mid.find("DT1-CN"), std::string::npos) << mid;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry"),
            Value::RegString("S2"));
  r = RunTidemark(J(site, {"log", "--kind", "observed", "--json"}));
  EXPECT_NE(r.out.find("DT1-CN"), std::string::npos) << "restore not recorded: " << r.out;
  // The rest, cell by cell, to the start: pristine.
  r = RunTidemark(J(site, {"rollback", "--to", "start"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

}  // namespace
}  // namespace tidemark
