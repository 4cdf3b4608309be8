// MiniSite construction and fingerprinting through the real adapters.
#include "tests/testing/mini_site.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "engine/environment.h"
#include "engine/target_set.h"
#include "engine/targets/odbc_text.h"
#include "engine/targets/registry_target.h"
#include "engine/targets/sql_target.h"
#include "store/sha256.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {
namespace {

void Check(const Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

}  // namespace

MiniSite::MiniSite(std::filesystem::path dir, std::string sql_connection)
    : dir_(std::move(dir)), sql_connection_(std::move(sql_connection)) {
  namespace fs = std::filesystem;
  fs::create_directories(dir_ / "hives");
  // Registry hive.
  targets::HiveRegistryTarget reg("S1", dir_ / "hives" / "S1.reg");
  const std::string sc = "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter";
  const std::string of = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";
  auto set = [&](const std::string& key, const std::string& name, const Value& v) {
    Check(reg.Write(Resource::RegistryValue("S1", key, name), Value::Absent(), v), "hive");
  };
  set(sc, "RegistryConnect",
      Value::RegString("DRIVER={SQL Server};SERVER=S1;DATABASE=Registry;Trusted_Connection=Yes"));
  set(sc, "Version", Value::RegString("8.8.6"));
  set(of, "DB_PreferedRegistry", Value::RegString("S1"));
  set(of, "AllowBackups", Value::RegDword(1));
  set(of, "Paths", Value::RegMulti({"C:\\DataCenter", "D:\\Archive"}));
  // Files.
  WriteFileBytes(dir_ / "hosts/S1/C/DataCenter/DailyMaint.cmd",
                 "@echo off\r\n\"C:\\Program Files\\Microsoft SQL Server\\100\\Tools\\BINN\\OSQL.EXE\" "
                 "-E -i daily.sql\r\nexit /b 0\r\n");
  WriteFileBytes(dir_ / "hosts/S1/C/DataCenter/notes.txt", "untouched\n");
  // Database.
  if (sql_connection_.empty()) {
    sql_connection_ = "Driver=SQLite3;Database=" + targets::odbc_text::DriverFilePath(dir_ / "registry.db");
  }
  auto db = targets::SqlTarget::Connect("registry", sql_connection_);
  Check(db.status(), "database");
  Check(db.value()->Execute("DROP TABLE IF EXISTS OutflowServices").status(), "drop");
  Check(db.value()
            ->Execute("CREATE TABLE OutflowServices (ServerId INTEGER PRIMARY KEY, Url VARCHAR(200), "
                      "secureFlag INTEGER, Note VARCHAR(200))")
            .status(),
        "create");
  Check(db.value()
            ->Execute("INSERT INTO OutflowServices VALUES "
                      "(1, 'https://dt1.example.corp:9443/DataTransfer', 1, NULL),"
                      "(2, 'https://dt2.example.corp:9443/DataTransfer', 1, 'it''s; -- odd'),"
                      "(3, 'https://dt1.example.corp:9443/DataTransfer', 0, 'second url on dt1')")
            .status(),
        "insert");
  std::ofstream env(env_path());
  env << "name: mini\n"
         "hosts:\n"
         "  S1:\n"
         "    registry: hives/S1.reg\n"
         "    files: hosts/S1\n"
      << (HasServices() ? "    services: { backend: process, dir: services/S1 }\n" : "")
      << "databases:\n"
         "  registry:\n"
         "    connection: '"  // single-quoted: Windows paths hold backslashes
      << sql_connection_ << "'\n    backups: backups\n";
  env.close();
  // The service runs, as a Data Center service would before the upgrade.
  if (HasServices()) StartServices();
}

MiniSite::~MiniSite() { StopServices(); }

std::filesystem::path MiniSite::WritePlan(const std::string& name, const std::string& yaml) const {
  const auto p = dir_ / "plans" / (name + ".yaml");
  WriteFileBytes(p, yaml);
  return p;
}

std::string MiniSite::Fingerprint() const {
  auto env = engine::LoadEnvironment(env_path());
  Check(env.status(), "env");
  engine::TargetSet targets(env.value());
  std::ostringstream out;
  auto reg = targets.Registry("S1");
  Check(reg.status(), "registry");
  auto entries = reg.value()->Enumerate("HKEY_LOCAL_MACHINE");
  Check(entries.status(), "enumerate");
  for (const auto& [r, v] : entries.value()) {
    out << r.Identity() << " = " << ValueTypeName(v.type) << ":" << v.reg_type << ":" << ToHex(v.bytes) << "\n";
  }
  auto db = targets.Sql("registry");
  Check(db.status(), "sql");
  auto rows = db.value()->ScanTable("OutflowServices", {"ServerId"});
  Check(rows.status(), "scan");
  for (const auto& [r, v] : rows.value()) out << r.Identity() << " = " << v.ToDisplay() << "\n";
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir_ / "hosts")) {
    if (f.is_regular_file()) {
      out << f.path().lexically_relative(dir_).string() << " sha256 " << Sha256Hex(ReadFileBytes(f.path())) << "\n";
    }
  }
  if (!HasServices()) return out.str();
  auto svc = targets.Services("S1");
  Check(svc.status(), "services");
  auto states = svc.value()->Enumerate({});
  Check(states.status(), "service states");
  for (const auto& [r, v] : states.value()) out << r.Identity() << " = " << v.ToDisplay() << "\n";
  return out.str();
}

std::string MiniSite::FullPlan() {
  // A line about the service Agent, left out where the site has no services.
  auto service = [](const char* line) { return HasServices() ? std::string(line) : std::string(); };
  return R"(# Test plan touching every kind of target.
name: mini-upgrade
parameters:
  primary: { default: S1 }
  other: { default: S2 }
  sql_version: { default: "130" }
watch:
  - registry: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node' }
  - table: { database: registry, table: OutflowServices }
  - folder: { host: "${primary}", path: 'C:\DataCenter' }
steps:
  - id: stop-services
    title: Stop the Data Center services
    actions:
      - registry.set: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }
)" + service(R"(      - service.stop: { host: "${primary}", name: Agent }
)") + R"(  - id: redirect
    title: Redirect web services to the other server
    actions:
      - registry.set: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: RegistryConnect,
                        value: "DRIVER={SQL Server};SERVER=${other};DATABASE=Registry;Trusted_Connection=Yes" }
      - registry.set: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: "${other}" }
  - id: backup
    title: Back up the SQL databases
    actions:
      - checkpoint: { name: pre-upgrade, databases: [registry] }
  - id: upgrade
    title: Change data, scripts and new settings
    actions:
      - sql.replace: { database: registry, table: OutflowServices, column: Url,
                       from: "https://dt1.example.corp:9443/DataTransfer", to: "https://DT1-CN:9443/DataTransfer" }
      - sql.update: { database: registry, table: OutflowServices, key: { ServerId: 2 }, set: { secureFlag: 0, Note: null } }
      - file.replace: { host: "${primary}", path: 'C:\DataCenter\DailyMaint.cmd', from: '\100\Tools\BINN\', to: '\${sql_version}\Tools\BINN\' }
      - registry.create_key: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\Connected\SSWS' }
      - registry.set: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\Connected\SSWS', name: com.connected.ssw.downloadStagingDir, value: 'D:\d1scratch' }
  - id: start-services
    title: Start services and verify
    actions:
)" + service(R"(      - service.start: { host: "${primary}", name: Agent }
)") + R"(      - registry.set: { host: "${primary}", key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, type: REG_DWORD, value: 1 }
)" + service(R"(      - assert: { host: "${primary}", service: Agent, state: running }
)") + R"(      - assert: { host: "${primary}", path: 'C:\DataCenter\DailyMaint.cmd', contains: '\130\Tools\BINN\OSQL.EXE' }
)";
}

}  // namespace tidemark::testing
