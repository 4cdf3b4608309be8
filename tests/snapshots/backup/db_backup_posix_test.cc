// A hung pg_dump (a POSIX shell fake, there only to inject the fault) is killed
// with its child at the backup timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "snapshots/db_backup.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::snapshots {
namespace {

namespace fs = std::filesystem;
using targets::SqlTarget;
using testing::PostgresServer;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

// Whether `pid` (written by the fake program into `file`) still runs; a
// zombie waiting for init counts as gone.
bool StillRuns(const fs::path& file) {
  const std::string text = ReadFileBytes(file);
  if (text.empty()) return false;
  const std::string stat = ReadFileBytes("/proc/" + std::to_string(std::stol(text)) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

// A pg_dump that hangs (a fake found first through TIDEMARK_PG_BINDIR, there
// only to inject the fault) is killed with its child at the backup timeout,
// and the checkpoint's backup fails saying so; no partial file is left.
TEST(DbBackupFailureTest, HungPgDumpTimesOutWithAClearError) {
  std::string reason;
  if (!PostgresServer::Available(&reason)) GTEST_SKIP() << reason;
  PostgresServer server;
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(server.CreateDatabase("hung").ok());
  auto db = SqlTarget::Connect("hung", server.ConnectionString("hung"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::all);  // the fake may run as postgres (runuser)
  const fs::path script = dir / "bin" / "pg_dump";
  WriteFileBytes(script, "#!/bin/sh\nsleep 30 &\necho $! > '" + (dir / "child.pid").string() +
                             "'\nwait\n");
  fs::permissions(dir / "bin", fs::perms::all);
  fs::permissions(script, fs::perms::all);
  ::setenv("TIDEMARK_PG_BINDIR", (dir / "bin").c_str(), 1);
  auto driver = MakeBackupDriver(**db, BackupOptions{std::chrono::seconds(1)});
  ASSERT_TRUE(driver.ok());
  const auto start = std::chrono::steady_clock::now();
  auto backup = (*driver)->Backup(dir / "backups");
  const auto took = std::chrono::steady_clock::now() - start;
  ::unsetenv("TIDEMARK_PG_BINDIR");
  ASSERT_FALSE(backup.ok());
  EXPECT_NE(backup.status().message().find("database hung: pg_dump timed out after 1 s"),
            std::string::npos)
      << backup.status().ToString();
  EXPECT_GE(took, std::chrono::seconds(1));
  EXPECT_LT(took, std::chrono::seconds(4));
  EXPECT_TRUE(fs::is_empty(dir / "backups"));
  for (int i = 0; i < 50 && StillRuns(dir / "child.pid"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(StillRuns(dir / "child.pid")) << "the fake's child outlived the timeout";
}

}  // namespace
}  // namespace tidemark::snapshots
