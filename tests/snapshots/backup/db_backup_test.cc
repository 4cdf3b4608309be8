// Backup drivers against real databases: back up, change, restore, compare;
// tampered or foreign backups are refused; a failed pg_dump leaves no file.
#include "snapshots/db_backup.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "engine/targets/odbc_text.h"
#include "store/sha256.h"
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

enum class Backend { kSqlite, kPostgres };

class DbBackupTest : public testing::SharedPostgresTest<Backend> {
 protected:
  void SetUp() override {
    std::string cs;
    if (GetParam() == Backend::kSqlite) {
      fs::create_directories(dir_ / "data");  // before its driver name is asked for
      cs = "Driver=SQLite3;Database=" + targets::odbc_text::DriverFilePath(dir_ / "data" / "registry.db");
    } else {
      if (server_ == nullptr) GTEST_SKIP() << skip_reason_;
      dbname_ = "backup" + std::to_string(++counter_);
      ASSERT_TRUE(server_->CreateDatabase(dbname_).ok());
      cs = server_->ConnectionString(dbname_);
    }
    auto db = SqlTarget::Connect("registry", cs);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    Exec("CREATE TABLE OutflowServices (ServerId INTEGER PRIMARY KEY, Url TEXT)");
    Exec("INSERT INTO OutflowServices VALUES (1, 'FQDN/dt'), (2, 'Zürich ✓')");
    Exec("CREATE TABLE Extra (id INTEGER PRIMARY KEY)");
    auto driver = MakeBackupDriver(*db_);
    ASSERT_TRUE(driver.ok()) << driver.status().ToString();
    driver_ = std::move(*driver);
  }

  void Exec(const std::string& sql) {
    auto r = db_->Execute(sql);
    ASSERT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  }
  Value Url(int64_t id) {
    auto v = db_->Read(Resource::SqlCell("registry", "OutflowServices",
                                         {KeyPart{"ServerId", Value::Integer(id)}}, "Url"));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value::Absent();
  }
  bool TableExists(const std::string& table) {
    return db_->Query("SELECT COUNT(*) FROM " + table).ok();
  }
  // Changes data and schema after the backup.
  void Modify() {
    Exec("UPDATE OutflowServices SET Url = 'CN/dt' WHERE ServerId = 1");
    Exec("DELETE FROM OutflowServices WHERE ServerId = 2");
    Exec("INSERT INTO OutflowServices VALUES (3, 'added')");
    Exec("DROP TABLE Extra");
  }
  const char* Method() const {
    return GetParam() == Backend::kSqlite ? "sqlite-vacuum-into" : "pg_dump";
  }

  static int counter_;
  TempDir dir_;
  std::string dbname_;
  std::unique_ptr<SqlTarget> db_;
  std::unique_ptr<BackupDriver> driver_;
};

int DbBackupTest::counter_ = 0;

TEST_P(DbBackupTest, BackupRecordDescribesAVerifiedFile) {
  auto backup = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  EXPECT_EQ(backup->database, "registry");
  EXPECT_EQ(backup->method, Method());
  EXPECT_TRUE(backup->verified);
  ASSERT_TRUE(fs::exists(backup->file));
  EXPECT_TRUE(fs::path(backup->file).is_absolute());
  EXPECT_EQ(fs::path(backup->file).parent_path(), dir_ / "backups");
  std::string bytes = ReadFileBytes(backup->file);
  EXPECT_EQ(backup->size, bytes.size());
  EXPECT_GT(backup->size, 0u);
  EXPECT_EQ(backup->sha256, Sha256Hex(bytes));
#ifndef _WIN32
  // Backups hold the data: owner-only, like the journal.
  EXPECT_EQ(fs::status(backup->file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(dir_ / "backups").permissions() & fs::perms::all, fs::perms::owner_all);
#endif
  // A second backup gets its own file.
  auto second = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->file, backup->file);
}

TEST_P(DbBackupTest, RestoreBringsBackTheOriginalData) {
  auto backup = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  Modify();
  EXPECT_EQ(Url(1), Value::Text("CN/dt"));
  Status s = driver_->Restore(*backup);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Url(1), Value::Text("FQDN/dt"));  // reconnects lazily
  EXPECT_EQ(Url(2), Value::Text("Zürich ✓"));
  EXPECT_TRUE(Url(3).absent());
  EXPECT_TRUE(TableExists("Extra"));
  // The same backup restores again (e.g. a retried rollback).
  Modify();
  ASSERT_TRUE(driver_->Restore(*backup).ok());
  EXPECT_EQ(Url(1), Value::Text("FQDN/dt"));
}

TEST_P(DbBackupTest, TamperedBackupIsRefusedAndChangesNothing) {
  auto backup = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  Modify();
  std::string bytes = ReadFileBytes(backup->file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  WriteFileBytes(backup->file, bytes);
  Status s = driver_->Restore(*backup);
  EXPECT_TRUE(s.Is(StatusCode::kCorruption)) << s.ToString();
  EXPECT_NE(s.message().find(backup->file), std::string::npos);
  EXPECT_EQ(Url(1), Value::Text("CN/dt"));
  EXPECT_EQ(Url(3), Value::Text("added"));
  EXPECT_FALSE(TableExists("Extra"));
}

TEST_P(DbBackupTest, MissingBackupFileIsRefused) {
  auto backup = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  fs::remove(backup->file);
  Status s = driver_->Restore(*backup);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(backup->file), std::string::npos) << s.ToString();
  EXPECT_EQ(Url(1), Value::Text("FQDN/dt"));
}

TEST_P(DbBackupTest, BackupOfAnotherDatabaseIsRefused) {
  auto backup = driver_->Backup(dir_ / "backups");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  BackupRecord foreign = *backup;
  foreign.database = "directory";
  EXPECT_TRUE(driver_->Restore(foreign).Is(StatusCode::kInvalidInput));
  BackupRecord other_method = *backup;
  other_method.method = "sqlserver-backup";
  EXPECT_TRUE(driver_->Restore(other_method).Is(StatusCode::kInvalidInput));
}

INSTANTIATE_TEST_SUITE_P(Backends, DbBackupTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const auto& param_info) {
                           return param_info.param == Backend::kSqlite ? "SQLite" : "PostgreSQL";
                         });

TEST(DbBackupFailureTest, FailedPgDumpLeavesNoFile) {
  std::string reason;
  if (!PostgresServer::Available(&reason)) GTEST_SKIP() << reason;
  PostgresServer server;
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(server.CreateDatabase("doomed").ok());
  auto db = SqlTarget::Connect("doomed", server.ConnectionString("doomed"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto driver = MakeBackupDriver(**db);
  ASSERT_TRUE(driver.ok());
  ASSERT_TRUE(server.Stop().ok());  // pg_dump cannot reach it now
  TempDir dir;
  auto backup = (*driver)->Backup(dir / "backups");
  ASSERT_FALSE(backup.ok());
  EXPECT_NE(backup.status().message().find("pg_dump"), std::string::npos)
      << backup.status().ToString();
  EXPECT_TRUE(fs::is_empty(dir / "backups"));
}

}  // namespace
}  // namespace tidemark::snapshots

namespace tidemark::snapshots {
namespace {

// No SQL Server runs here: the SQL Server driver's statements are checked as text.
TEST(SqlServerBackupStatementsTest, BackupIsCopyOnlyWithChecksumsAndVerified) {
  auto sql = SqlServerBackupStatements("Registry");
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(sql->backup, "BACKUP DATABASE [Registry] TO DISK = ? WITH CHECKSUM, COPY_ONLY, INIT");
  EXPECT_EQ(sql->verify, "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM");
  EXPECT_EQ(sql->single_user, "ALTER DATABASE [Registry] SET SINGLE_USER WITH ROLLBACK IMMEDIATE");
  EXPECT_EQ(sql->restore, "RESTORE DATABASE [Registry] FROM DISK = ? WITH REPLACE");
  EXPECT_EQ(sql->multi_user, "ALTER DATABASE [Registry] SET MULTI_USER");
}

TEST(SqlServerBackupStatementsTest, NamesAreBracketQuotedAndBadOnesRefused) {
  auto odd = SqlServerBackupStatements("Dir]; DROP DATABASE x; --");
  ASSERT_TRUE(odd.ok()) << odd.status().ToString();
  EXPECT_EQ(odd->backup,
            "BACKUP DATABASE [Dir]]; DROP DATABASE x; --] TO DISK = ? WITH CHECKSUM, COPY_ONLY, INIT");
  EXPECT_EQ(SqlServerBackupStatements("").status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(SqlServerBackupStatements(std::string(129, 'a')).status().code(),
            StatusCode::kInvalidInput);
  EXPECT_EQ(SqlServerBackupStatements("a\nb").status().code(), StatusCode::kInvalidInput);
}

}  // namespace
}  // namespace tidemark::snapshots
