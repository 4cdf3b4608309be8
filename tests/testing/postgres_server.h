// PostgresServer: a throw-away PostgreSQL cluster for tests, listening only
// on a Unix socket in its own temp dir (no TCP), run as `postgres` when root.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

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
  // A started server for a test suite's SetUpTestSuite, or nullptr with the
  // reason its tests skip.
  static std::unique_ptr<PostgresServer> StartForSuite(std::string* skip_reason) {
    if (!Available(skip_reason)) return nullptr;
    auto server = std::make_unique<PostgresServer>();
    if (Status s = server->Start(); !s.ok()) {
      *skip_reason = "PostgreSQL did not start: " + s.ToString();
      return nullptr;
    }
    return server;
  }

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

// A parameterized fixture whose suite shares one server: `server_` is null
// (and `skip_reason_` says why) when PostgreSQL is not available here.
template <typename Param>
class SharedPostgresTest : public ::testing::TestWithParam<Param> {
 protected:
  static void SetUpTestSuite() { server_ = PostgresServer::StartForSuite(&skip_reason_).release(); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  inline static PostgresServer* server_ = nullptr;
  inline static std::string skip_reason_;
};

}  // namespace tidemark::testing
