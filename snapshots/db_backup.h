// Database backup drivers for checkpoints (DESIGN.md §5): a backup made by
// the database itself (SQLite VACUUM INTO, PostgreSQL pg_dump -Fc, SQL Server
// BACKUP DATABASE), verified and hashed before it counts; restores check the hash first.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/targets/sql_target.h"
#include "store/event.h"
#include "store/status.h"

namespace tidemark::snapshots {

class BackupDriver {
 public:
  virtual ~BackupDriver() = default;
  // Makes a backup into `dest_dir` (created if missing) under a new file name
  // "<database>-<UTC time>.<ext>", verifies it (SQLite: reopens the copy and
  // runs PRAGMA integrity_check; PostgreSQL: pg_restore --list; SQL Server:
  // RESTORE VERIFYONLY) and returns its record (absolute path, size, SHA-256
  // hex, verified = true). On any failure the partial file is removed and an
  // error returned: nothing is counted.
  virtual Result<BackupRecord> Backup(const std::filesystem::path& dest_dir) = 0;
  // Replaces the database's content with `backup` after checking that the
  // file's SHA-256 still matches the record (Corruption if not, and nothing is
  // changed). InvalidInput when the record belongs to another database or
  // method. The target is disconnected and reconnects lazily afterwards.
  virtual Status Restore(const BackupRecord& backup) = 0;
};

// Limits for the programs a driver runs (pg_dump, pg_restore; the SQLite and
// SQL Server drivers work through ODBC and are bounded by the server).
inline constexpr std::chrono::seconds kDefaultBackupTimeout{2 * 60 * 60};
struct BackupOptions {
  // Each program run (the dump, its verification, a restore) is killed with
  // its whole process tree after this long, and the backup or restore fails
  // with "database D: pg_dump timed out after N s (killed)".
  std::chrono::seconds timeout = kDefaultBackupTimeout;
};

// The driver for `db`'s dialect. `db` must outlive the driver.
//  - SQLite ("sqlite-vacuum-into"): VACUUM INTO ? through ODBC; restore copies
//    the file over the Database= file (temp file + fsync + rename), refused
//    while a -wal or -journal file shows the database is in use.
//  - PostgreSQL ("pg_dump"): pg_dump -Fc / pg_restore --clean --if-exists
//    --single-transaction, connection parameters taken from the ODBC string
//    (Servername → host or socket directory, Port, Database, Username, Pwd →
//    PGPASSWORD). When running as root the programs run through
//    `runuser -u <user> --` as the OS user named like the database user, else
//    as `postgres`.
//  - SQL Server ("sqlserver-backup"): BACKUP DATABASE [db] TO DISK = ? WITH
//    CHECKSUM, COPY_ONLY; RESTORE VERIFYONLY; RESTORE DATABASE ... WITH
//    REPLACE. The path must be the same for the server and for tidemark.
//    Implemented but untested here (no SQL Server in the test environment).
Result<std::unique_ptr<BackupDriver>> MakeBackupDriver(targets::SqlTarget& db,
                                                      const BackupOptions& options = {});

// The statements the SQL Server driver runs for the database named `database`
// (Database= of the connection string), the name bracket-quoted (`]` doubled);
// each `?` is the backup file's path. InvalidInput for an empty name, one over
// 128 characters or one holding a control character.
struct SqlServerBackupSql {
  std::string backup;       // BACKUP DATABASE [db] TO DISK = ? WITH CHECKSUM, COPY_ONLY, INIT
  std::string verify;       // RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM
  std::string single_user;  // ALTER DATABASE [db] SET SINGLE_USER WITH ROLLBACK IMMEDIATE
  std::string restore;      // RESTORE DATABASE [db] FROM DISK = ? WITH REPLACE
  std::string multi_user;   // ALTER DATABASE [db] SET MULTI_USER
};
Result<SqlServerBackupSql> SqlServerBackupStatements(const std::string& database);

// SHA-256 (hex) and size of a file, read in chunks. IoError naming the file.
Result<std::pair<std::string, uint64_t>> HashFile(const std::filesystem::path& path);

// --- external programs (used by the drivers and by the test PostgreSQL server) ---

// `argv` prefixed with `runuser -u <user> --` when tidemark runs as root and
// `user` is non-empty; else `argv` unchanged.
std::vector<std::string> AsUser(const std::string& user, std::vector<std::string> argv);

// The full path of a PostgreSQL program (pg_dump, initdb, ...): from
// $TIDEMARK_PG_BINDIR, else the newest /usr/lib/postgresql/<version>/bin, else
// PATH. nullopt when not found.
std::optional<std::string> FindPostgresProgram(const std::string& name);

}  // namespace tidemark::snapshots
