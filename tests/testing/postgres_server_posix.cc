// PostgresServer: initdb + pg_ctl in a temp dir, Unix socket only, run
// through the process runner (runuser -u postgres as root).
#include "tests/testing/postgres_server.h"

#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <vector>

#include "engine/process/process_runner.h"
#include "snapshots/db_backup.h"

namespace tidemark::testing {
namespace {

std::string RunAs() { return ::geteuid() == 0 ? "postgres" : ""; }

// A TCP port number nobody uses right now; only the socket's name uses it.
int FreePortNumber() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 55432;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 55432;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

}  // namespace

PostgresServer::~PostgresServer() { (void)Stop(); }

bool PostgresServer::Available(std::string* reason) {
  for (const char* tool : {"initdb", "pg_ctl", "createdb", "pg_dump", "pg_restore"}) {
    if (!snapshots::FindPostgresProgram(tool)) {
      *reason = std::string("PostgreSQL program ") + tool + " not found";
      return false;
    }
  }
  std::ifstream ini("/etc/odbcinst.ini");
  std::string text((std::istreambuf_iterator<char>(ini)), std::istreambuf_iterator<char>());
  if (text.find("[PostgreSQL Unicode]") == std::string::npos) {
    *reason = "ODBC driver \"PostgreSQL Unicode\" not registered in /etc/odbcinst.ini";
    return false;
  }
  if (::geteuid() == 0) {
    if (::getpwnam("postgres") == nullptr) {
      *reason = "running as root and there is no `postgres` user to run the server as";
      return false;
    }
    if (::access("/usr/sbin/runuser", X_OK) != 0 && ::access("/sbin/runuser", X_OK) != 0 &&
        ::access("/usr/bin/runuser", X_OK) != 0) {
      *reason = "running as root and runuser is missing";
      return false;
    }
  }
  return true;
}

Status PostgresServer::RunTool(const std::string& tool, const std::vector<std::string>& args) {
  auto path = snapshots::FindPostgresProgram(tool);
  if (!path) return Status::NotFound(tool + " not found");
  std::vector<std::string> argv = {*path};
  argv.insert(argv.end(), args.begin(), args.end());
  process::RunOptions options;
  options.capture = true;
  options.working_dir = "/";  // readable by the server's user
  options.timeout = std::chrono::minutes(2);
  auto r = process::Run(process::Command::Argv(snapshots::AsUser(RunAs(), argv)), options);
  if (!r.ok()) return r.status();
  if (!r->ok()) return Status::Failed(tool + " " + r->Describe() + ": " + r->output);
  return Status::Ok();
}

Status PostgresServer::Start() {
  if (running_) return Status::Ok();
  if (dir_ == nullptr) {
    dir_ = std::make_unique<TempDir>();
    if (::geteuid() == 0) {
      passwd* pw = ::getpwnam("postgres");
      if (pw == nullptr || ::chown(dir_->path().c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return Status::IoError("cannot hand " + dir_->path().string() + " to postgres");
      }
    }
    port_ = FreePortNumber();
    std::string data = (dir_->path() / "data").string();
    TM_RETURN_IF_ERROR(RunTool("initdb", {"-D", data, "-U", "postgres", "-A", "trust", "-E",
                                          "UTF8", "--no-locale", "--no-sync"}));
    std::ofstream conf(dir_->path() / "data" / "postgresql.conf", std::ios::app);
    conf << "\nlisten_addresses = ''\n"
         << "unix_socket_directories = '" << dir_->path().string() << "'\n"
         << "port = " << port_ << "\n"
         << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
    if (!conf) return Status::IoError("cannot write postgresql.conf");
  }
  TM_RETURN_IF_ERROR(RunTool("pg_ctl", {"start", "-w", "-t", "60", "-D",
                                        (dir_->path() / "data").string(), "-l",
                                        (dir_->path() / "server.log").string()}));
  running_ = true;
  return Status::Ok();
}

Status PostgresServer::Stop() {
  if (!running_) return Status::Ok();
  running_ = false;
  return RunTool("pg_ctl", {"stop", "-w", "-m", "fast", "-D", (dir_->path() / "data").string()});
}

Status PostgresServer::Restart() {
  TM_RETURN_IF_ERROR(Stop());
  return Start();
}

std::string PostgresServer::ConnectionString(const std::string& dbname) const {
  return "Driver=PostgreSQL Unicode;Servername=" + dir_->path().string() +
         ";Port=" + std::to_string(port_) + ";Database=" + dbname + ";Username=postgres";
}

Status PostgresServer::CreateDatabase(const std::string& name) {
  return RunTool("createdb", {"-h", dir_->path().string(), "-p", std::to_string(port_), "-U",
                              "postgres", "-E", "UTF8", name});
}

}  // namespace tidemark::testing
