// PostgresServer: a throw-away PostgreSQL cluster for tests, listening only
// on a Unix socket in its own temp dir (no TCP), run as `postgres` when root.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/status.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

// One server per test suite (start it in SetUpTestSuite): initdb takes about a
// second. fsync is off: the data is disposable.
class PostgresServer {
 public:
  PostgresServer() = default;
  ~PostgresServer();  // stops the server and removes its directory
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Whether initdb, pg_ctl, createdb, the "PostgreSQL Unicode" ODBC driver
  // (and, as root, runuser and the `postgres` user) are present; otherwise
  // false with the reason (tests GTEST_SKIP with it).
  static bool Available(std::string* reason);

  // initdb (UTF8, trust auth, superuser `postgres`) and pg_ctl start, waiting
  // until it accepts connections. The socket is <dir>/.s.PGSQL.<port>.
  Status Start();
  // pg_ctl stop -m fast (no-op when not running).
  Status Stop();
  Status Restart();

  // ODBC connection string for `dbname` over the Unix socket.
  std::string ConnectionString(const std::string& dbname) const;
  // createdb `name` (owner postgres).
  Status CreateDatabase(const std::string& name);

  const std::filesystem::path& socket_dir() const { return dir_->path(); }
  int port() const { return port_; }

 private:
  Status RunTool(const std::string& tool, const std::vector<std::string>& args);

  std::unique_ptr<TempDir> dir_;
  int port_ = 0;
  bool running_ = false;
};

}  // namespace tidemark::testing
