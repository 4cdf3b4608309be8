// Tests of tools/make-sandbox and tools/setup-standin: the generated data center
// is read back through tidemark's own adapters (hive parser, ODBC, process
// backend), and the setup.exe stand-in changes what it claims and stops part-way.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <glob.h>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/targets/process_service.h"
#include "engine/targets/reg_file.h"
#include "engine/targets/sql_target.h"
#include "store/value.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

namespace fs = std::filesystem;
using targets::Hive;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;

const char kDcRel[] = "C/Program Files/Hewlett Packard Enterprise/DataCenter";
const char kOsql100[] = "C:\\Program Files\\Microsoft SQL Server\\100\\Tools\\BINN\\OSQL.EXE";
const char kWow[] = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

CommandResult RunShell(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string Tool(const std::string& name) { return std::string(TIDEMARK_SOURCE_DIR) + "/tools/" + name; }

CommandResult MakeSandbox(const fs::path& dir, const std::string& args) {
  return RunShell(Quote(Tool("make-sandbox")) + " " + Quote(dir.string()) + " " + args);
}

CommandResult Standin(const fs::path& dir, const std::string& args) {
  return RunShell(Quote((dir / "bin/setup-standin").string()) + " " + args);
}

Hive LoadHive(const fs::path& dir, const std::string& host) {
  auto hive = Hive::Load(dir / "hives" / (host + ".reg"));
  EXPECT_TRUE(hive.ok()) << hive.status().ToString();
  return hive.ok() ? std::move(hive).value() : Hive();
}

std::string RegString(const Hive& hive, const std::string& key, const std::string& name) {
  auto s = hive.GetValue(key, name).AsRegString();
  return s ? *s : "<not a string>";
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// ASCII text as UTF-16LE bytes.
std::string Utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

// True when every '\n' is preceded by '\r' and the text is not empty.
bool AllCrlf(const std::string& text) {
  if (text.empty()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return false;
  }
  return true;
}

// One-column query result as text ("" when no row).
std::string QueryText(targets::SqlTarget& db, const std::string& sql) {
  auto r = db.Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  if (!r.ok() || r->rows.empty() || r->rows[0].empty()) return "";
  const Value& v = r->rows[0][0];
  if (v.type == ValueType::kText) return v.bytes;
  if (v.type == ValueType::kInteger) return std::to_string(v.integer);
  return v.ToDisplay();
}

std::unique_ptr<targets::SqlTarget> OpenSqlite(const fs::path& file) {
  auto db = targets::SqlTarget::Connect("test", "Driver=SQLite3;Database=" + file.string());
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

struct TopologyCase {
  std::string topology;
  std::vector<std::string> hosts;
  int outflow_rows;
};

class SandboxTopologyTest : public ::testing::TestWithParam<TopologyCase> {};

TEST_P(SandboxTopologyTest, LaysOutHivesFilesServicesAndDatabases) {
  const TopologyCase& tc = GetParam();
  TempDir tmp;
  const fs::path dir = tmp / "dc";
  CommandResult made = MakeSandbox(dir, "--topology " + tc.topology);
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_NE(made.output.find("Sandbox " + tc.topology), std::string::npos) << made.output;

  // Exactly the topology's hosts, each with a hive in `reg export` format.
  std::vector<std::string> hives;
  for (const auto& e : fs::directory_iterator(dir / "hives")) hives.push_back(e.path().stem().string());
  EXPECT_EQ(hives.size(), tc.hosts.size());
  const std::string header = Utf16le("Windows Registry Editor Version 5.00\r\n\r\n[");
  for (const std::string& host : tc.hosts) {
    SCOPED_TRACE(host);
    const std::string bytes = ReadFileBytes(dir / "hives" / (host + ".reg"));
    ASSERT_GE(bytes.size(), 2u + header.size());
    EXPECT_EQ(bytes.substr(0, 2), std::string("\xff\xfe"));
    EXPECT_EQ(bytes.substr(2, header.size()), header);
    EXPECT_EQ(bytes.size() % 2, 0u);
    Hive hive = LoadHive(dir, host);
    // What tidemark writes back is byte-identical: the generator writes Windows' format.
    auto again = hive.Serialize();
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(*again == bytes) << "Serialize() differs from the generated hive";
    EXPECT_EQ(RegString(hive, "HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
                        "ComputerName"),
              host);
  }

  // The manual's values.
  Hive server1 = LoadHive(dir, "SERVER1");
  EXPECT_EQ(server1.GetValue(std::string(kWow) + "\\Connected\\BackupServer", "AllowBackups").AsRegDword(), 1u);
  EXPECT_EQ(server1.GetValue(std::string(kWow) + "\\Connected\\BackupServer", "AllowRestores").AsRegDword(), 1u);
  EXPECT_EQ(RegString(server1, std::string(kWow) + "\\Connected\\DataCenter", "Version"), "8.8.6.1");
  size_t nvalues = 0;
  for (const auto& k : server1.keys()) nvalues += k.values.size();
  EXPECT_GE(nvalues, 200u) << "neighbour values for scans to work through";
  Hive web1 = LoadHive(dir, "WEB1");
  const std::string connect = "DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry;Trusted_Connection=Yes";
  EXPECT_EQ(RegString(web1, std::string(kWow) + "\\SupportCenter", "RegistryConnect"), connect);
  // One spelling of the Support Center key, as a real web server has (the
  // manual gives three: the plans' support_center_key parameter picks one).
  EXPECT_FALSE(web1.KeyExists(std::string(kWow) + "\\Connected\\SupportCenter"));
  EXPECT_FALSE(web1.KeyExists(std::string(kWow) + "\\Connected\\SSWS")) << "the plans create SSWS";
  Hive dt1 = LoadHive(dir, "DT1");
  EXPECT_EQ(RegString(dt1, std::string(kWow) + "\\Outflow", "DB_PreferedRegistry"), "SERVER1");

  // Maintenance scripts: CRLF, SQL Server 2008 R2 OSQL.EXE path several times.
  for (const std::string& host : tc.hosts) {
    if (host.rfind("SERVER", 0) != 0) continue;
    for (const char* script : {"DailyMaint.cmd", "WeeklyMaint.cmd"}) {
      SCOPED_TRACE(host + " " + script);
      const std::string text = ReadFileBytes(dir / "hosts" / host / kDcRel / script);
      EXPECT_TRUE(AllCrlf(text));
      EXPECT_GE(Count(text, kOsql100), 3);
    }
  }

  // Services: definitions the process backend reads, all stopped.
  targets::ProcessServiceBackend services(dir / "services/SERVER1");
  auto names = services.List();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  for (const char* name : {"BackupServer", "IndexServer", "ReplicationServer", "SQLSERVERAGENT"}) {
    EXPECT_NE(std::find(names->begin(), names->end(), name), names->end()) << name;
  }
  auto backup = services.Read("BackupServer");
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  EXPECT_EQ(*backup, Value::Service(ServiceRun::kStopped, StartType::kAuto));
  targets::ProcessServiceBackend web_services(dir / "services/WEB1");
  auto tomcat = web_services.Read("DCTomcat");
  ASSERT_TRUE(tomcat.ok());
  EXPECT_EQ(*tomcat, Value::Service(ServiceRun::kStopped, StartType::kAuto));

  // Databases, read through ODBC as tidemark does.
  auto registry = OpenSqlite(dir / "db/registry.db");
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(QueryText(*registry, "SELECT COUNT(*) FROM OutflowServices"), std::to_string(tc.outflow_rows));
  EXPECT_EQ(QueryText(*registry, "SELECT Url FROM OutflowServices WHERE ServerId = 1"),
            "https://dt1.example.corp/ose/OutflowServiceExtension.dll");
  EXPECT_EQ(QueryText(*registry, "SELECT secureFlag FROM OutflowServices WHERE ServerId = 1"), "1");
  EXPECT_EQ(QueryText(*registry, "SELECT Version FROM SchemaVersion WHERE Component = 'Registry'"), "8.8.6.1");
  auto pk = registry->PrimaryKey("OutflowServices");
  ASSERT_TRUE(pk.ok()) << pk.status().ToString();
  EXPECT_EQ(*pk, std::vector<std::string>{"ServerId"});
  auto directory = OpenSqlite(dir / "db/directory.db");
  ASSERT_NE(directory, nullptr);
  EXPECT_EQ(QueryText(*directory, "SELECT Version FROM SchemaVersion WHERE Component = 'Directory'"), "8.8.6.1");

  const std::string site = ReadFileBytes(dir / "site.yaml");
  EXPECT_NE(site.find("setup_command: " + (dir / "bin/setup-standin").string()), std::string::npos);
  EXPECT_NE(site.find("Driver=SQLite3;Database=${env_dir}/db/registry.db"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Topologies, SandboxTopologyTest,
    ::testing::Values(TopologyCase{"standalone", {"SERVER1", "WEB1", "DT1"}, 3},
                      TopologyCase{"mirrored", {"SERVER1", "SERVER2", "WEB1", "DT1"}, 3},
                      TopologyCase{"clustered",
                                   {"SERVER1", "SERVER2", "SERVER3", "SERVER4", "WEB1", "DT1", "DT2"},
                                   4}),
    [](const ::testing::TestParamInfo<TopologyCase>& p) { return p.param.topology; });

TEST(SandboxTest, RefusesNonEmptyFolderUnlessForced) {
  TempDir tmp;
  WriteFileBytes(tmp / "stranger/notes.txt", "keep me");
  CommandResult r = MakeSandbox(tmp / "stranger", "");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not empty"), std::string::npos) << r.output;
  // --force only ever deletes a sandbox.
  r = MakeSandbox(tmp / "stranger", "--force");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(ReadFileBytes(tmp / "stranger/notes.txt"), "keep me");

  ASSERT_EQ(MakeSandbox(tmp / "dc", "--topology mirrored").exit_code, 0);
  EXPECT_NE(MakeSandbox(tmp / "dc", "--topology standalone").exit_code, 0);
  EXPECT_TRUE(fs::exists(tmp / "dc/hives/SERVER2.reg"));
  r = MakeSandbox(tmp / "dc", "--topology standalone --force");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(tmp / "dc/hives/SERVER2.reg"));
  EXPECT_TRUE(fs::exists(tmp / "dc/hives/SERVER1.reg"));

  EXPECT_EQ(MakeSandbox(tmp / "x", "--topology ring").exit_code, 2);
}

TEST(SetupStandinTest, UpgradesDataCenterServerAndStopsPartWayWhenAsked) {
  TempDir tmp;
  const fs::path dir = tmp / "dc";
  ASSERT_EQ(MakeSandbox(dir, "--topology mirrored").exit_code, 0);
  const std::string dc_key = std::string(kWow) + "\\Connected\\DataCenter";
  size_t values_before = 0;
  const Hive before = LoadHive(dir, "SERVER1");
  for (const auto& k : before.keys()) values_before += k.values.size();
  const std::string web_before = ReadFileBytes(dir / "hives/WEB1.reg");

  // Stops after 3 changes: three registry values changed, nothing else yet.
  CommandResult r = Standin(dir, "--host SERVER1 --fail-after 3");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("simulated failure after 3"), std::string::npos) << r.output;
  Hive partial = LoadHive(dir, "SERVER1");
  EXPECT_EQ(RegString(partial, dc_key, "Version"), "8.8.7.0");
  EXPECT_EQ(RegString(partial, dc_key, "BuildNumber"), "8.8.7.0.2533");
  EXPECT_EQ(RegString(partial, dc_key, "PreviousVersion"), "8.8.6.1");
  EXPECT_TRUE(partial.GetValue(dc_key, "SsoEnabled").absent());
  auto registry = OpenSqlite(dir / "db/registry.db");
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(QueryText(*registry, "SELECT Version FROM SchemaVersion WHERE Component = 'Registry'"), "8.8.6.1");
  EXPECT_FALSE(fs::exists(dir / "hosts/SERVER1" / kDcRel / "Scripts/DBUpgrade_8.8.7.0.sql"));

  // The environment variable works too; a re-run continues with what is left.
  r = RunShell("SETUP_STANDIN_FAIL_AFTER=2 " + Quote((dir / "bin/setup-standin").string()) + " --host server1");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  r = Standin(dir, "--host SERVER1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("done, 6 change(s)"), std::string::npos) << r.output;
  Hive done = LoadHive(dir, "SERVER1");
  EXPECT_EQ(done.GetValue(dc_key, "SsoEnabled").AsRegDword(), 0u);
  EXPECT_EQ(done.GetValue(std::string(kWow) + "\\Connected\\BackupServer", "ProtocolVersion").AsRegDword(), 89u);
  EXPECT_EQ(RegString(done,
                      "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
                      "{7A4A5CB2-08D4-4C3E-9E2B-0C1D6B5A8E11}",
                      "DisplayVersion"),
            "8.8.7.0");
  size_t values_after = 0;
  for (const auto& k : done.keys()) values_after += k.values.size();
  EXPECT_EQ(values_after, values_before + 2) << "PreviousVersion and SsoEnabled are new";
  auto again = done.Serialize();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again == ReadFileBytes(dir / "hives/SERVER1.reg")) << "edited hive keeps the reg export format";
  EXPECT_EQ(QueryText(*registry, "SELECT Version FROM SchemaVersion WHERE Component = 'Registry'"), "8.8.7.0");
  auto directory = OpenSqlite(dir / "db/directory.db");
  ASSERT_NE(directory, nullptr);
  EXPECT_EQ(QueryText(*directory, "SELECT Version FROM SchemaVersion WHERE Component = 'Directory'"), "8.8.7.0");
  EXPECT_TRUE(AllCrlf(ReadFileBytes(dir / "hosts/SERVER1" / kDcRel / "Scripts/DBUpgrade_8.8.7.0.sql")));
  EXPECT_EQ(ReadFileBytes(dir / "hosts/SERVER1" / kDcRel / "version.txt"), "8.8.7.0\r\n");
  EXPECT_EQ(ReadFileBytes(dir / "hives/WEB1.reg"), web_before) << "other hosts untouched";

  // Nothing left to do.
  r = Standin(dir, "--host SERVER1");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("done, 0 change(s)"), std::string::npos) << r.output;
}

TEST(SetupStandinTest, UpgradesWebServicesAndDataTransferNode) {
  TempDir tmp;
  const fs::path dir = tmp / "dc";
  ASSERT_EQ(MakeSandbox(dir, "--topology standalone").exit_code, 0);
  const fs::path web_xml = dir / "hosts/WEB1" / kDcRel / "apache-tomcat-7.0.42/webapps/ssws/WEB-INF/web.xml";
  EXPECT_NE(ReadFileBytes(web_xml).find("downloadStagingDir"), std::string::npos);

  CommandResult r = Standin(dir, "--host WEB1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Hive web1 = LoadHive(dir, "WEB1");
  EXPECT_EQ(RegString(web1, std::string(kWow) + "\\SupportCenter", "Version"), "8.8.7.0");
  EXPECT_EQ(RegString(web1, std::string(kWow) + "\\SupportCenter", "RegistryConnect"),
            "DRIVER={SQL Server};SERVER=SERVER1;DATABASE=Registry;Trusted_Connection=Yes");
  const std::string xml = ReadFileBytes(web_xml);
  EXPECT_EQ(xml.find("downloadStagingDir"), std::string::npos) << "moved to the registry in 8.8.7";
  EXPECT_NE(xml.find("com.connected.ssw.validateSSL"), std::string::npos);
  EXPECT_TRUE(AllCrlf(xml));

  // A DataTransfer node whose OutflowServices URL uses a CN: the install fails, changing nothing.
  auto registry = OpenSqlite(dir / "db/registry.db");
  ASSERT_NE(registry, nullptr);
  ASSERT_TRUE(registry->Execute("UPDATE OutflowServices SET Url = "
                                "'https://backup-dt1.example.com/ose/OutflowServiceExtension.dll' "
                                "WHERE ServerId = 1")
                  .ok());
  registry->Disconnect();
  const std::string dt_before = ReadFileBytes(dir / "hives/DT1.reg");
  r = Standin(dir, "--host DT1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("dt1.example.corp"), std::string::npos) << r.output;
  EXPECT_EQ(ReadFileBytes(dir / "hives/DT1.reg"), dt_before);

  ASSERT_TRUE(registry->Execute("UPDATE OutflowServices SET Url = "
                                "'https://dt1.example.corp/ose/OutflowServiceExtension.dll' WHERE ServerId = 1")
                  .ok());
  registry->Disconnect();
  r = Standin(dir, "--host DT1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Hive dt1 = LoadHive(dir, "DT1");
  EXPECT_EQ(RegString(dt1, std::string(kWow) + "\\Outflow", "Version"), "8.8.7.0");
  EXPECT_EQ(RegString(dt1, std::string(kWow) + "\\Outflow", "DB_PreferedRegistry"), "SERVER1");

  // Management API installer and uninstaller.
  r = Standin(dir, "--host DT1 --component mapi");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(RegString(LoadHive(dir, "DT1"), std::string(kWow) + "\\Connected\\MAPI", "InstallDir"),
            "C:\\ManagementSite\\ManagementAPI");
  EXPECT_TRUE(fs::exists(dir / "hosts/DT1/C/ManagementSite/ManagementAPI/ManagementService.svc"));
  r = Standin(dir, "--host DT1 --component mapi --uninstall");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir / "hosts/DT1/C/ManagementSite/ManagementAPI/ManagementService.svc"));

  EXPECT_EQ(Standin(dir, "--host NOSUCH").exit_code, 1);
  EXPECT_EQ(Standin(dir, "--host WEB1 --fail-after many").exit_code, 2);
}

bool HavePostgres() {
  glob_t g{};
  const bool found = glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0;
  globfree(&g);
  return found && RunShell("command -v psql").exit_code == 0;
}

TEST(SandboxTest, PostgresVariantServesBothDatabasesOnAUnixSocket) {
  if (!HavePostgres()) GTEST_SKIP() << "PostgreSQL server binaries not installed";
  TempDir tmp;
  // The server runs as user postgres when we are root: it must reach the folder.
  chmod(tmp.path().c_str(), 0755);
  const fs::path dir = tmp / "pgdc";
  // Stops the server even when an assertion below fails (make-sandbox stops it
  // itself when it fails before writing bin/sandbox-stop).
  struct Stopper {
    fs::path dir;
    ~Stopper() {
      if (fs::exists(dir / "bin/sandbox-stop")) RunShell(Quote((dir / "bin/sandbox-stop").string()));
    }
  } stopper{dir};
  CommandResult made = MakeSandbox(dir, "--topology mirrored --db postgres");
  ASSERT_EQ(made.exit_code, 0) << made.output;

  const std::string site = ReadFileBytes(dir / "site.yaml");
  const std::string conn =
      "Driver=PostgreSQL Unicode;Servername=" + (dir / "pg").string() + ";Port=5432;Database=registry;Username=postgres";
  EXPECT_NE(site.find(conn), std::string::npos) << site;
  {
    auto registry = targets::SqlTarget::Connect("registry", conn);
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    EXPECT_EQ(QueryText(**registry, "SELECT COUNT(*) FROM OutflowServices"), "3");
    EXPECT_EQ(QueryText(**registry, "SELECT Version FROM SchemaVersion WHERE Component = 'Registry'"), "8.8.6.1");
  }
  CommandResult r = Standin(dir, "--host SERVER1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  {
    auto registry = targets::SqlTarget::Connect("registry", conn);
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    EXPECT_EQ(QueryText(**registry, "SELECT Version FROM SchemaVersion WHERE Component = 'Registry'"), "8.8.7.0");
  }
}

}  // namespace
}  // namespace tidemark
