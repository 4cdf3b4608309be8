// PostgresServer on Windows: not available. The throw-away cluster listens on
// a Unix socket and is run by Linux tools (initdb, pg_ctl, runuser), so the
// PostgreSQL cases skip under Wine with the reason given here.
#include "tests/testing/postgres_server.h"

namespace tidemark::testing {
namespace {

constexpr const char* kReason =
    "the PostgreSQL test server (Unix socket, initdb/pg_ctl) runs on Linux only";

}  // namespace

PostgresServer::~PostgresServer() = default;

bool PostgresServer::Available(std::string* reason) {
  if (reason != nullptr) *reason = kReason;
  return false;
}

Status PostgresServer::Start() { return Status::Unsupported(kReason); }
Status PostgresServer::Stop() { return Status::Ok(); }
Status PostgresServer::Restart() { return Status::Unsupported(kReason); }
std::string PostgresServer::ConnectionString(const std::string&) const { return ""; }
Status PostgresServer::CreateDatabase(const std::string&) { return Status::Unsupported(kReason); }
Status PostgresServer::RunTool(const std::string&, const std::vector<std::string>&) {
  return Status::Unsupported(kReason);
}

}  // namespace tidemark::testing
