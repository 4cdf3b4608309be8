// tidemark-setup-stand-in.exe: plays Data Center Setup 8.8.7 (setup.exe) on
// the Windows sandbox (tools/make-sandbox DIR --windows), the Windows twin of
// tools/setup-standin. Like the real Setup it upgrades the components that
// are installed on this computer, found in the registry:
//   HKLM\SOFTWARE\Wow6432Node\Connected\DataCenter  → the Data Center server
//   HKLM\SOFTWARE\Wow6432Node\SupportCenter          → Support Center / AMWS
//   HKLM\SOFTWARE\Wow6432Node\Outflow                → the DataTransfer API
// with the same registry values, files and database rows as the Linux
// stand-in; a second run changes nothing. Everything goes through Windows'
// own APIs (registry, files, odbc32), never through tidemark's code.
//
//   tidemark-setup-stand-in.exe --host NAME [--fail-after N]
//
// --fail-after N (or SETUP_STANDIN_FAIL_AFTER=N): exit 3 right after the Nth
// change (0: before any), as a Setup that breaks half-way.
// SETUP_STANDIN_DELAY_MS=N: wait N ms before the first change (a slow Setup,
// for tests that stop tidemark while it runs). The databases come
// from setup-stand-in.conf beside the program: `registry=CONNECTION`,
// `directory=CONNECTION` and `fqdn=` (this DataTransfer node's name) lines.
#include <windows.h>
#include <sql.h>
#include <sqlext.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

const wchar_t kNew[] = L"8.8.7.0";
const wchar_t kOld[] = L"8.8.6.1";
const wchar_t kWow[] = L"SOFTWARE\\Wow6432Node";
const wchar_t kUninstall[] = L"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
const char kDcDir[] = "C:\\Program Files\\Hewlett Packard Enterprise\\DataCenter";

std::wstring Wide(const std::string& s) {
  const int n = MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n);
  return out;
}

std::string Narrow(const std::wstring& s) {
  const int n = WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0,
                                    nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), out.data(), n, nullptr,
                      nullptr);
  return out;
}

std::string g_host;
long g_fail_after = -1;
int g_changes = 0;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "setup-stand-in: %s: %s\n", g_host.c_str(), what.c_str());
  std::exit(1);
}

void Changed(const std::string& what) {
  ++g_changes;
  std::printf("setup-stand-in: %s: %s\n", g_host.c_str(), what.c_str());
  std::fflush(stdout);
  if (g_fail_after >= 0 && g_changes >= g_fail_after) {
    std::fprintf(stderr, "setup-stand-in: %s: simulated failure after %d change(s)\n",
                 g_host.c_str(), g_changes);
    std::exit(3);
  }
}

bool KeyExists(const std::wstring& key) {
  HKEY h = nullptr;
  if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, KEY_READ | KEY_WOW64_64KEY, &h) !=
      ERROR_SUCCESS) {
    return false;
  }
  RegCloseKey(h);
  return true;
}

// Sets HKLM\key\name to (type, data) unless it already holds exactly that.
void SetValue(const std::wstring& key, const std::wstring& name, DWORD type,
              const std::string& data) {
  HKEY h = nullptr;
  if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, nullptr, 0,
                      KEY_READ | KEY_WRITE | KEY_WOW64_64KEY, nullptr, &h,
                      nullptr) != ERROR_SUCCESS) {
    Fail("cannot open HKLM\\" + Narrow(key));
  }
  DWORD old_type = 0, size = 0;
  std::string old;
  if (RegQueryValueExW(h, name.c_str(), nullptr, &old_type, nullptr, &size) == ERROR_SUCCESS) {
    old.resize(size);
    RegQueryValueExW(h, name.c_str(), nullptr, &old_type, reinterpret_cast<BYTE*>(old.data()),
                     &size);
    old.resize(size);
  }
  if (old_type == type && old == data) {
    RegCloseKey(h);
    return;
  }
  if (RegSetValueExW(h, name.c_str(), 0, type, reinterpret_cast<const BYTE*>(data.data()),
                     static_cast<DWORD>(data.size())) != ERROR_SUCCESS) {
    Fail("cannot set HKLM\\" + Narrow(key) + " " + Narrow(name));
  }
  RegCloseKey(h);
  Changed("registry [HKLM\\" + Narrow(key) + "] " + Narrow(name));
}

void SetString(const std::wstring& key, const std::wstring& name, const std::wstring& value) {
  std::string data(reinterpret_cast<const char*>(value.c_str()),
                   (value.size() + 1) * sizeof(wchar_t));
  SetValue(key, name, REG_SZ, data);
}

void SetDword(const std::wstring& key, const std::wstring& name, DWORD value) {
  SetValue(key, name, REG_DWORD, std::string(reinterpret_cast<const char*>(&value), sizeof value));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(std::filesystem::path(Wide(path)), std::ios::binary);
  if (!in) Fail("no " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `content` unless the file already holds it.
void PutFile(const std::string& path, const std::string& content) {
  const std::wstring wide = Wide(path);
  bool exists = GetFileAttributesW(wide.c_str()) != INVALID_FILE_ATTRIBUTES;
  if (exists && ReadFile(path) == content) return;
  for (size_t i = 3; (i = path.find('\\', i)) != std::string::npos; ++i) {
    CreateDirectoryW(Wide(path.substr(0, i)).c_str(), nullptr);
  }
  std::ofstream out(std::filesystem::path(wide), std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) Fail("cannot write " + path);
  Changed("file " + path + (exists ? " rewritten" : " written"));
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

std::map<std::string, std::string> g_conf;

// One ODBC connection per database named in setup-stand-in.conf.
class Database {
 public:
  explicit Database(const std::string& name) : name_(name) {
    auto it = g_conf.find(name);
    if (it == g_conf.end()) Fail("setup-stand-in.conf names no " + name + " database");
    SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env_);
    SQLSetEnvAttr(env_, SQL_ATTR_ODBC_VERSION, reinterpret_cast<SQLPOINTER>(SQL_OV_ODBC3), 0);
    SQLAllocHandle(SQL_HANDLE_DBC, env_, &dbc_);
    std::wstring conn = Wide(it->second);
    const SQLRETURN rc = SQLDriverConnectW(dbc_, nullptr, conn.data(), SQL_NTS, nullptr, 0,
                                           nullptr, SQL_DRIVER_NOPROMPT);
    if (!SQL_SUCCEEDED(rc)) Fail("cannot connect to the " + name + " database");
  }
  ~Database() {
    SQLDisconnect(dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_ENV, env_);
  }

  // The first column of the first row as text ("" when there is none).
  std::string Scalar(const std::string& sql) {
    SQLHSTMT st = nullptr;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
    std::wstring text = Wide(sql);
    if (!SQL_SUCCEEDED(SQLExecDirectW(st, text.data(), SQL_NTS))) {
      Fail("query failed on the " + name_ + " database: " + sql);
    }
    std::string out;
    if (SQL_SUCCEEDED(SQLFetch(st))) {
      wchar_t buf[512];
      SQLLEN len = 0;
      if (SQL_SUCCEEDED(SQLGetData(st, 1, SQL_C_WCHAR, buf, sizeof buf, &len)) &&
          len != SQL_NULL_DATA) {
        out = Narrow(buf);
      }
    }
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    return out;
  }

  void Execute(const std::string& sql) {
    SQLHSTMT st = nullptr;
    SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &st);
    std::wstring text = Wide(sql);
    const SQLRETURN rc = SQLExecDirectW(st, text.data(), SQL_NTS);
    SQLFreeHandle(SQL_HANDLE_STMT, st);
    if (!SQL_SUCCEEDED(rc)) Fail("statement failed on the " + name_ + " database: " + sql);
  }

 private:
  std::string name_;
  SQLHENV env_ = nullptr;
  SQLHDBC dbc_ = nullptr;
};

void BumpSchema(const std::string& db_name, const std::string& component) {
  Database db(db_name);
  const std::string current =
      db.Scalar("SELECT Version FROM SchemaVersion WHERE Component = '" + component + "'");
  if (current.empty()) Fail("the " + db_name + " database has no SchemaVersion row for " + component);
  if (current == Narrow(kNew)) return;
  db.Execute("UPDATE SchemaVersion SET Version = '" + Narrow(kNew) +
             "', AppliedAt = '2017-07-20 02:10:00' WHERE Component = '" + component + "'");
  Changed("database " + db_name + ": SchemaVersion[" + component + "].Version " + current +
          " -> " + Narrow(kNew));
}

std::wstring Wow(const std::wstring& rest) { return std::wstring(kWow) + L"\\" + rest; }
std::wstring Uninstall(const std::wstring& guid) { return std::wstring(kUninstall) + L"\\" + guid; }
std::string DcFile(const std::string& rest) { return std::string(kDcDir) + "\\" + rest; }

void UpgradeDataCenter() {
  SetString(Wow(L"Connected\\DataCenter"), L"Version", kNew);
  SetString(Wow(L"Connected\\DataCenter"), L"BuildNumber", std::wstring(kNew) + L".2533");
  SetString(Wow(L"Connected\\DataCenter"), L"PreviousVersion", kOld);
  SetDword(Wow(L"Connected\\DataCenter"), L"SsoEnabled", 0);
  SetDword(Wow(L"Connected\\BackupServer"), L"ProtocolVersion", 89);
  SetString(Wow(L"Connected"), L"Version", kNew);
  SetString(Uninstall(L"{7A4A5CB2-08D4-4C3E-9E2B-0C1D6B5A8E11}"), L"DisplayVersion", kNew);
  BumpSchema("registry", "Registry");
  BumpSchema("directory", "Directory");
  const std::string v = Narrow(kNew);
  PutFile(DcFile("Scripts\\DBUpgrade_" + v + ".sql"),
          "-- DBUpgrade_" + v + ".sql: schema changes applied by Data Center Setup " + v +
              "\r\nALTER TABLE dbo.OutflowServices ADD LastContact datetime NULL\r\nGO\r\n"
              "UPDATE dbo.SchemaVersion SET Version = '" + v +
              "' WHERE Component IN ('Registry', 'Directory')\r\nGO\r\n");
  PutFile(DcFile("version.txt"), v + "\r\n");
}

// web.xml without the downloadStagingDir context-param (8.8.7 reads it from
// the registry) and with the new version in its display name.
std::string NewWebXml(const std::string& xml) {
  std::string out;
  size_t at = 0;
  for (;;) {
    const size_t open = xml.find("  <context-param>", at);
    if (open == std::string::npos) break;
    const size_t close = xml.find("</context-param>", open);
    if (close == std::string::npos) break;
    const size_t end = xml.find('\n', close) + 1;
    const std::string block = xml.substr(open, end - open);
    out += xml.substr(at, open - at);
    if (block.find("downloadStagingDir") == std::string::npos) out += block;
    at = end;
  }
  out += xml.substr(at);
  return ReplaceAll(out, "Account Management Website " + Narrow(kOld),
                    "Account Management Website " + Narrow(kNew));
}

void UpgradeWebServices() {
  SetString(Wow(L"SupportCenter"), L"Version", kNew);
  SetString(Wow(L"Connected\\AccountManagement"), L"Version", kNew);
  SetDword(Wow(L"Connected\\AccountManagement"), L"SsoSupport", 1);
  SetString(Wow(L"Connected"), L"Version", kNew);
  SetString(Uninstall(L"{C1F0E3A7-55B2-4A9D-8F5E-2B7D3C9A4E21}"), L"DisplayVersion", kNew);
  const std::string webxml = DcFile("apache-tomcat-7.0.42\\webapps\\ssws\\WEB-INF\\web.xml");
  PutFile(webxml, NewWebXml(ReadFile(webxml)));
  PutFile(DcFile("SupportCenter\\version.txt"), "Support Center " + Narrow(kNew) + "\r\n");
  PutFile(DcFile("version.txt"), Narrow(kNew) + "\r\n");
}

void UpgradeDataTransfer() {
  const std::string fqdn = g_conf["fqdn"];
  if (fqdn.empty()) Fail("setup-stand-in.conf gives no fqdn for this DataTransfer node");
  {
    // The manual: with a CN URL in OutflowServices the install process fails.
    Database db("registry");
    const std::string n = db.Scalar("SELECT COUNT(*) FROM OutflowServices WHERE Url LIKE 'https://" +
                                    fqdn + "/%' OR Url LIKE 'http://" + fqdn + "/%'");
    if (n.empty() || n == "0") {
      Fail("OutflowServices has no URL with this node's FQDN " + fqdn +
           ": set the URL back from the CN to the FQDN before reinstalling");
    }
  }
  SetString(Wow(L"Outflow"), L"Version", kNew);
  SetDword(Wow(L"Outflow"), L"DB_ConnectRetries", 3);
  SetString(Wow(L"Connected"), L"Version", kNew);
  SetString(Uninstall(L"{5E2B9C41-3D7A-4F60-A1C8-9B0E6D2F7A33}"), L"DisplayVersion", kNew);
  const std::string cfg = DcFile("DataTransferAPI\\ose\\web.config");
  PutFile(cfg, ReplaceAll(ReadFile(cfg), "\"ProductVersion\" value=\"" + Narrow(kOld) + "\"",
                          "\"ProductVersion\" value=\"" + Narrow(kNew) + "\""));
  PutFile(DcFile("version.txt"), Narrow(kNew) + "\r\n");
}

void LoadConf() {
  wchar_t exe[MAX_PATH];
  const DWORD n = GetModuleFileNameW(nullptr, exe, MAX_PATH);
  std::wstring path(exe, n);
  path = path.substr(0, path.find_last_of(L'\\') + 1) + L"setup-stand-in.conf";
  std::ifstream in{std::filesystem::path(path)};
  if (!in) Fail("no " + Narrow(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    g_conf[line.substr(0, eq)] = line.substr(eq + 1);
  }
}

[[noreturn]] void Usage() {
  std::fprintf(stderr, "usage: tidemark-setup-stand-in.exe --host NAME [--fail-after N]\n");
  std::exit(2);
}

long Number(const std::string& s) {
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 0) Usage();
  return v;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (const char* env = std::getenv("SETUP_STANDIN_FAIL_AFTER"); env && *env) {
    g_fail_after = Number(env);
  }
  for (int i = 1; i < argc; ++i) {
    const std::wstring a = argv[i];
    if (a == L"--host" && i + 1 < argc) {
      g_host = Narrow(argv[++i]);
    } else if (a == L"--fail-after" && i + 1 < argc) {
      g_fail_after = Number(Narrow(argv[++i]));
    } else {
      Usage();
    }
  }
  if (g_host.empty()) Usage();
  LoadConf();
  if (g_fail_after == 0) {
    std::fprintf(stderr, "setup-stand-in: %s: simulated failure before any change\n",
                 g_host.c_str());
    return 3;
  }
  if (const char* delay = std::getenv("SETUP_STANDIN_DELAY_MS"); delay && *delay) {
    std::printf("setup-stand-in: %s: preparing\n", g_host.c_str());
    std::fflush(stdout);
    Sleep(static_cast<DWORD>(Number(delay)));
  }
  int components = 0;
  if (KeyExists(Wow(L"Connected\\DataCenter"))) {
    UpgradeDataCenter();
    ++components;
  }
  if (KeyExists(Wow(L"SupportCenter"))) {
    UpgradeWebServices();
    ++components;
  }
  if (KeyExists(Wow(L"Outflow"))) {
    UpgradeDataTransfer();
    ++components;
  }
  if (components == 0) Fail("no Connected Backup component is installed on this computer");
  std::printf("setup-stand-in: %s: %d component(s) done, %d change(s)\n", g_host.c_str(),
              components, g_changes);
  return 0;
}
