// End-to-end engine tests on a MiniSite with real hive files, SQLite over
// ODBC and files: apply, rollback to pristine, apply again, conflicts, resume,
// database restore (PostgreSQL and shell exec steps: apply_rollback_posix_test.cc).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "engine/targets/registry_target.h"
#include "engine/targets/sql_target.h"
#include "store/event_log.h"
#include "tests/engine/apply_rollback.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

TEST(ApplyRollbackTest, SqliteSiteRoundTripsByteForByte) {
  TempDir dir;
  MiniSite site(dir.path());
  ApplyRollbackApply(site);
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
  ASSERT_EQ(r.out.rfind("run ", 0), 0u) << r.out;
  const std::string run_id = r.out.substr(4, r.out.find(':') - 4);
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
  // Finished: the failure it was resumed from is over. Step two is one row,
  // attempted twice; no "running" row and no old error is left.
  r = RunTidemark(J(site, {"status"}));
  EXPECT_EQ(r.out.find("8.8.7"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("running"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("done (attempt 2)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("status    finished\n"), std::string::npos) << r.out;
  const auto report = dir / "report.html";
  r = RunTidemark(J(site, {"report", "--html", report.string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(testing::ReadFileBytes(report).find("equals"), std::string::npos) << "the old assert failure";
  // Rolled back: status says so instead of offering resume.
  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunTidemark(J(site, {"status", "--run", run_id}));
  EXPECT_NE(r.out.find("Next: rolled back by run "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("tidemark resume"), std::string::npos) << r.out;
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
