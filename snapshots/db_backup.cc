// Backup drivers (SQLite, PostgreSQL, SQL Server); pg_dump and pg_restore run
// through the process runner with a timeout. Backup files are the database's own formats: a SQLite database
// file, a pg_dump custom-format archive, a SQL Server .bak.
#include "snapshots/db_backup.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <vector>
#include <iterator>
#include <optional>

#include "engine/process/process_runner.h"
#include "engine/targets/durable_file.h"
#include "engine/targets/odbc_text.h"
#include "store/sha256.h"
#include "store/system_info.h"
#include "store/unicode.h"

namespace tidemark::snapshots {
namespace fs = std::filesystem;
using targets::ConnectionStringValue;
using targets::SqlDialect;
using targets::SqlTarget;

namespace {

std::string ErrnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// "<name>-<UTC yyyymmddThhmmssZ>[-n].<ext>" that does not exist yet in `dir`.
fs::path NewBackupPath(const fs::path& dir, const std::string& database, const std::string& ext) {
  std::string safe;
  for (char c : database) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    safe += ok ? c : '_';
  }
  if (safe.empty() || safe[0] == '.') safe = "db" + safe;
  std::time_t now = std::time(nullptr);
  const std::tm tm = store::UtcTime(now);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
  fs::path p = dir / (safe + "-" + stamp + "." + ext);
  for (int n = 2; fs::exists(p); ++n) {
    p = dir / (safe + "-" + stamp + "-" + std::to_string(n) + "." + ext);
  }
  return p;
}

// Backups hold the data: the folders made for them are owner-only, like the journal.
Status PrepareDir(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> made;
  for (fs::path p = fs::absolute(dir, ec); !p.empty() && !fs::exists(p, ec); p = p.parent_path()) {
    made.push_back(p);
    if (p == p.parent_path()) break;
  }
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create backup directory " + dir.string() + ": " +
                                 ec.message());
  for (const auto& p : made) {
    fs::permissions(p, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) return Status::IoError("cannot make " + p.string() + " owner-only: " + ec.message());
  }
  return Status::Ok();
}

// An empty owner-only file for a backup to be written into (VACUUM INTO
// keeps the mode of an empty file it is given).
Status CreateOwnerOnly(const fs::path& file) {
  {
    std::ofstream out(file, std::ios::binary);
    if (!out) return Status::IoError("cannot create " + file.string());
  }
  std::error_code ec;
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, ec);
  if (ec) return Status::IoError("cannot make " + file.string() + " owner-only: " + ec.message());
  return Status::Ok();
}

void RemoveQuietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

Result<BackupRecord> Finish(const std::string& database, const std::string& method,
                            const fs::path& file) {
  auto hashed = HashFile(file);
  if (!hashed.ok()) {
    RemoveQuietly(file);
    return hashed.status();
  }
  BackupRecord r;
  r.database = database;
  r.method = method;
  r.file = fs::absolute(file).string();
  r.sha256 = hashed->first;
  r.size = hashed->second;
  r.verified = true;
  return r;
}

Status CheckRecord(const SqlTarget& db, const BackupRecord& b, const std::string& method) {
  if (b.database != db.name()) {
    return Status::InvalidInput("backup " + b.file + " belongs to database " + b.database +
                                ", not " + db.name());
  }
  if (b.method != method) {
    return Status::InvalidInput("backup " + b.file + " was made with " + b.method +
                                "; database " + db.name() + " restores " + method);
  }
  if (!b.verified) {
    return Status::InvalidInput("backup " + b.file + " was never verified; refusing to restore");
  }
  return Status::Ok();
}

Status CheckHash(const BackupRecord& b) {
  auto hashed = HashFile(b.file);
  if (!hashed.ok()) return hashed.status();
  if (hashed->first != b.sha256 || hashed->second != b.size) {
    return Status::Corruption("backup " + b.file + " does not match its record (sha256 " +
                              hashed->first + ", " + std::to_string(hashed->second) +
                              " bytes; recorded " + b.sha256 + ", " + std::to_string(b.size) +
                              " bytes); refusing to restore");
  }
  return Status::Ok();
}

// Value of the first present key among `keys` in the connection string.
std::string Param(const std::string& cs, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto v = ConnectionStringValue(cs, k)) return *v;
  }
  return "";
}

// ---------------------------------------------------------------------------

class SqliteBackupDriver : public BackupDriver {
 public:
  explicit SqliteBackupDriver(SqlTarget& db) : db_(db) {}

  Result<BackupRecord> Backup(const fs::path& dest_dir) override {
    TM_RETURN_IF_ERROR(PrepareDir(dest_dir));
    fs::path file = fs::absolute(NewBackupPath(dest_dir, db_.name(), "sqlite"));
    TM_RETURN_IF_ERROR(CreateOwnerOnly(file));
    auto made = db_.Query("VACUUM INTO ?", {Value::Text(targets::odbc_text::DriverFilePath(file))});
    if (!made.ok()) {
      RemoveQuietly(file);
      return made.status().Prefix("VACUUM INTO " + file.string());
    }
    Status verified = Verify(file);
    if (!verified.ok()) {
      RemoveQuietly(file);
      return verified;
    }
    return Finish(db_.name(), "sqlite-vacuum-into", file);
  }

  Status Restore(const BackupRecord& b) override {
    TM_RETURN_IF_ERROR(CheckRecord(db_, b, "sqlite-vacuum-into"));
    const std::string driver_path = Param(db_.connection_string(), {"Database"});
    if (driver_path.empty()) {
      return Status::InvalidInput("database " + db_.name() +
                                  ": no Database= in the connection string");
    }
    const std::string db_path = targets::odbc_text::LocalFilePath(driver_path).string();
    TM_RETURN_IF_ERROR(CheckHash(b));
    db_.Disconnect();
    for (const char* suffix : {"-wal", "-journal"}) {
      std::error_code ec;
      if (fs::exists(db_path + suffix, ec) && fs::file_size(db_path + suffix, ec) > 0) {
        return Status::Failed("database " + db_.name() + ": " + db_path + suffix +
                              " exists: the database is in use; close it before restoring");
      }
    }
    return CopyVerified(b, db_path);
  }

 private:
  // Opens the copy through the same ODBC driver and runs PRAGMA integrity_check.
  Status Verify(const fs::path& file) {
    std::string driver = Param(db_.connection_string(), {"Driver"});
    // The SQLite ODBC driver takes Database= verbatim (no {braces}).
    if (file.string().find_first_of(";{}") != std::string::npos ||
        driver.find_first_of(";{}") != std::string::npos) {
      return Status::InvalidInput("cannot verify backup " + file.string() +
                                  ": ';', '{' or '}' in the path or driver name");
    }
    std::string cs = "Driver=" + driver + ";Database=" + targets::odbc_text::DriverFilePath(file) +
                     ";NoCreat=1";
    auto copy = SqlTarget::Connect(db_.name() + "-backup-check", cs);
    if (!copy.ok()) return copy.status().Prefix("verifying backup " + file.string());
    auto check = (*copy)->Query("PRAGMA integrity_check");
    if (!check.ok()) return check.status().Prefix("verifying backup " + file.string());
    if (check->rows.empty() || check->rows[0].empty() ||
        check->rows[0][0].type != ValueType::kText || check->rows[0][0].bytes != "ok") {
      std::string detail = check->rows.empty() || check->rows[0].empty()
                               ? std::string("no result")
                               : check->rows[0][0].ToDisplay();
      return Status::Corruption("backup " + file.string() + " failed integrity_check: " + detail);
    }
    return Status::Ok();
  }

  // Reads the backup, compares its hash and size with the record, and
  // replaces the database file with it durably (durable_file.h).
  Status CopyVerified(const BackupRecord& b, const std::string& db_path) {
    TM_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                        targets::ReadFileBytes(b.file, "backup " + b.file));
    if (!bytes) return Status::IoError("cannot open backup " + b.file + ": it does not exist");
    if (Sha256Hex(*bytes) != b.sha256 || bytes->size() != b.size) {
      return Status::Corruption("backup " + b.file + " changed since it was verified");
    }
    return targets::ReplaceFileDurably(db_path, *bytes);
  }

  SqlTarget& db_;
};

// ---------------------------------------------------------------------------

class PostgresBackupDriver : public BackupDriver {
 public:
  PostgresBackupDriver(SqlTarget& db, const BackupOptions& options)
      : db_(db), timeout_(options.timeout) {
    const std::string& cs = db.connection_string();
    host_ = Param(cs, {"Servername", "Server", "Host"});
    port_ = Param(cs, {"Port"});
    database_ = Param(cs, {"Database"});
    user_ = Param(cs, {"Username", "UID", "User"});
    password_ = Param(cs, {"Pwd", "Password"});
    run_as_ = RunAsUser();
  }

  Result<BackupRecord> Backup(const fs::path& dest_dir) override {
    TM_RETURN_IF_ERROR(PrepareDir(dest_dir));
    fs::path file = fs::absolute(NewBackupPath(dest_dir, db_.name(), "pgdump"));
    TM_ASSIGN_OR_RETURN(std::string pg_dump, Program("pg_dump"));
    std::vector<std::string> argv = {pg_dump, "-Fc", "--no-password"};
    AddConnection(&argv);
    process::RunOptions options = Options();
    options.stdout_file = file;
    Status s = Run(argv, options, "pg_dump");
    if (s.ok()) {
      TM_ASSIGN_OR_RETURN(std::string pg_restore, Program("pg_restore"));
      process::RunOptions list = Options();
      list.stdin_file = file;
      s = Run({pg_restore, "--list"}, list, "pg_restore --list " + file.string());
    }
    if (!s.ok()) {
      RemoveQuietly(file);
      return s;
    }
    return Finish(db_.name(), "pg_dump", file);
  }

  Status Restore(const BackupRecord& b) override {
    TM_RETURN_IF_ERROR(CheckRecord(db_, b, "pg_dump"));
    TM_RETURN_IF_ERROR(CheckHash(b));
    TM_ASSIGN_OR_RETURN(std::string pg_restore, Program("pg_restore"));
    db_.Disconnect();  // our own session must not hold locks on what is dropped
    std::vector<std::string> argv = {pg_restore, "--clean", "--if-exists", "--single-transaction",
                                     "--exit-on-error", "--no-password"};
    AddConnection(&argv);
    process::RunOptions options = Options();
    options.stdin_file = b.file;
    return Run(argv, options, "pg_restore " + b.file);
  }

 private:
  Result<std::string> Program(const std::string& name) {
    auto p = FindPostgresProgram(name);
    if (!p) return Status::NotFound(name + " not found (set TIDEMARK_PG_BINDIR)");
    return *p;
  }

  void AddConnection(std::vector<std::string>* argv) const {
    if (!host_.empty()) argv->push_back("--host=" + host_);
    if (!port_.empty()) argv->push_back("--port=" + port_);
    if (!user_.empty()) argv->push_back("--username=" + user_);
    if (argv->front().find("pg_restore") != std::string::npos) {
      argv->push_back("--dbname=" + database_);
    } else {
      argv->push_back(database_);
    }
  }

  // The OS user the programs run as when tidemark is root ("" otherwise).
  std::string RunAsUser() const {
    if (!store::RunningAsRoot()) return "";
    if (!user_.empty() && user_ != "root" && store::LocalUserExists(user_)) return user_;
    if (user_ != "root" && store::LocalUserExists("postgres")) return "postgres";
    return "";
  }

  process::RunOptions Options() const {
    process::RunOptions o;
    o.working_dir = "/";  // readable by the user the programs may run as
    o.tail_lines = 20;    // the error lines for a failure message
    o.timeout = timeout_;
    // pg_dump/pg_restore end their session at once on SIGTERM (the server
    // rolls back); runuser would add a 2 s pause of its own before exiting.
    o.kill_grace = std::chrono::seconds(1);
    if (!password_.empty()) o.env.emplace_back("PGPASSWORD", password_);
    return o;
  }

  // Runs one program; Failed unless it exits 0, the message naming `what`
  // and carrying its last output lines.
  Status Run(const std::vector<std::string>& argv, const process::RunOptions& options,
             const std::string& what) const {
    auto r = process::Run(process::Command::Argv(AsUser(run_as_, argv)), options);
    if (!r.ok()) return r.status().Prefix("database " + db_.name() + ": " + what);
    if (r->ok()) return Status::Ok();
    std::string detail = r->tail;
    while (!detail.empty() && detail.back() == '\n') detail.pop_back();
    return Status::Failed("database " + db_.name() + ": " + what + " " + r->Describe() +
                          (detail.empty() ? "" : ": " + detail));
  }

  SqlTarget& db_;
  std::chrono::seconds timeout_;
  std::string host_, port_, database_, user_, password_, run_as_;
};

// ---------------------------------------------------------------------------

class SqlServerBackupDriver : public BackupDriver {
 public:
  explicit SqlServerBackupDriver(SqlTarget& db) : db_(db) {
    database_ = Param(db.connection_string(), {"Database"});
  }

  Result<BackupRecord> Backup(const fs::path& dest_dir) override {
    TM_ASSIGN_OR_RETURN(SqlServerBackupSql sql, Statements());
    TM_RETURN_IF_ERROR(PrepareDir(dest_dir));
    fs::path file = fs::absolute(NewBackupPath(dest_dir, db_.name(), "bak"));
    auto made = db_.Query(sql.backup, {Value::Text(file.string())});
    if (!made.ok()) {
      RemoveQuietly(file);
      return made.status().Prefix("BACKUP DATABASE " + database_);
    }
    auto verified = db_.Query(sql.verify, {Value::Text(file.string())});
    if (!verified.ok()) {
      RemoveQuietly(file);
      return verified.status().Prefix("RESTORE VERIFYONLY " + file.string());
    }
    return Finish(db_.name(), "sqlserver-backup", file);
  }

  Status Restore(const BackupRecord& b) override {
    TM_RETURN_IF_ERROR(CheckRecord(db_, b, "sqlserver-backup"));
    TM_RETURN_IF_ERROR(CheckHash(b));
    TM_ASSIGN_OR_RETURN(SqlServerBackupSql sql, Statements());
    // The session must leave the database before it can be replaced.
    TM_RETURN_IF_ERROR(db_.Execute("USE master").status());
    Status s = db_.Execute(sql.single_user).status();
    if (s.ok()) {
      s = db_.Query(sql.restore, {Value::Text(b.file)}).status();
      Status multi = db_.Execute(sql.multi_user).status();
      if (s.ok()) s = multi;
    }
    db_.Disconnect();
    return s;
  }

 private:
  Result<SqlServerBackupSql> Statements() const {
    auto sql = SqlServerBackupStatements(database_);
    if (!sql.ok()) return sql.status().Prefix("database " + db_.name());
    return sql;
  }

  SqlTarget& db_;
  std::string database_;
};

}  // namespace

Result<SqlServerBackupSql> SqlServerBackupStatements(const std::string& database) {
  if (database.empty() || database.size() > 128) {
    return Status::InvalidInput("no usable Database= in the connection string");
  }
  std::string q = "[";
  for (char c : database) {
    if (static_cast<unsigned char>(c) < 0x20) return Status::InvalidInput("bad database name");
    q += c;
    if (c == ']') q += ']';
  }
  q += "]";
  return SqlServerBackupSql{
      "BACKUP DATABASE " + q + " TO DISK = ? WITH CHECKSUM, COPY_ONLY, INIT",
      "RESTORE VERIFYONLY FROM DISK = ? WITH CHECKSUM",
      "ALTER DATABASE " + q + " SET SINGLE_USER WITH ROLLBACK IMMEDIATE",
      "RESTORE DATABASE " + q + " FROM DISK = ? WITH REPLACE",
      "ALTER DATABASE " + q + " SET MULTI_USER"};
}

Result<std::unique_ptr<BackupDriver>> MakeBackupDriver(SqlTarget& db, const BackupOptions& options) {
  switch (db.dialect()) {
    case SqlDialect::kSqlite: return std::unique_ptr<BackupDriver>(new SqliteBackupDriver(db));
    case SqlDialect::kPostgres:
      return std::unique_ptr<BackupDriver>(new PostgresBackupDriver(db, options));
    case SqlDialect::kSqlServer:
      return std::unique_ptr<BackupDriver>(new SqlServerBackupDriver(db));
  }
  return Status::Unsupported("database " + db.name() + ": no backup driver");
}

Result<std::pair<std::string, uint64_t>> HashFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(ErrnoText("cannot open " + path.string()));
  Sha256Hasher hasher;
  uint64_t size = 0;
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto n = static_cast<size_t>(in.gcount());
    hasher.Update(std::string_view(buffer.data(), n));
    size += n;
  }
  if (in.bad()) return Status::IoError(ErrnoText("reading " + path.string()));
  return std::make_pair(ToHex(hasher.Finish()), size);
}

// ---------------------------------------------------------------------------

std::vector<std::string> AsUser(const std::string& user, std::vector<std::string> argv) {
  if (user.empty() || !store::RunningAsRoot()) return argv;
  std::vector<std::string> out = {"runuser", "-u", user, "--"};
  out.insert(out.end(), std::make_move_iterator(argv.begin()), std::make_move_iterator(argv.end()));
  return out;
}

std::optional<std::string> FindPostgresProgram(const std::string& name) {
  auto executable = [](const fs::path& p) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    return !ec && fs::is_regular_file(st) &&
           (st.permissions() & (fs::perms::owner_exec | fs::perms::others_exec)) != fs::perms::none;
  };
  if (const char* dir = std::getenv("TIDEMARK_PG_BINDIR"); dir != nullptr && *dir != '\0') {
    fs::path p = fs::path(dir) / name;
    if (executable(p)) return p.string();
  }
  std::error_code ec;
  int best_version = -1;
  fs::path best;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string v = entry.path().filename().string();
    int version = std::atoi(v.c_str());
    fs::path p = entry.path() / "bin" / name;
    if (version > best_version && executable(p)) {
      best_version = version;
      best = p;
    }
  }
  if (best_version >= 0) return best.string();
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos
                                                                    : colon - start);
    if (!dir.empty() && executable(fs::path(dir) / name)) return (fs::path(dir) / name).string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

}  // namespace tidemark::snapshots
