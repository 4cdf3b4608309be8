// Engine tests that need Linux: the MiniSite on a throw-away PostgreSQL server
// (Unix socket), a hung pg_dump (a /bin/sh fake), and an exec step that runs a
// shell "installer" (printf, iconv, sqlite3) whose changes are observed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/engine/apply_rollback.h"
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

}  // namespace
}  // namespace tidemark
