// Secrets and control characters in every output, in-process on a MiniSite:
// a braced ODBC password and a `{secret: true}` parameter substituted into a
// value, an exec argument list and a manual prompt appear in no command's
// output, while rollback still restores the real values.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/targets/registry_target.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

constexpr const char* kOutflow = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";
constexpr const char* kDsn = "DRIVER={SQL Server};SERVER=S;UID=sa;PWD={s3;cr3t};";
constexpr const char* kAdminPassword = "Adm1n-Pa55-x9";
constexpr const char* kIniPassword = "ini-pw-7";  // in a file the exec writes

// Plan: changes the DSN's server (its password stays), substitutes the secret
// parameter into a non-secret value, an exec argument list (the exec writes it
// into a watched file, and copies `ini`, a file with a Password= line, next to
// it) and a manual prompt.
std::string SecretsPlan(const std::filesystem::path& files_root, const std::filesystem::path& ini) {
  const std::string creds = (files_root / "C" / "DataCenter" / "creds").string();
  return std::string(R"(name: secret-walk
parameters:
  admin_password: { default: ")") + kAdminPassword + R"(", secret: true }
watch:
  - folder: { host: S1, path: 'C:\DataCenter' }
steps:
  - id: credentials
    title: Point the DSN at S2 and store the admin login
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: RegistryDsn,
                        value: "DRIVER={SQL Server};SERVER=S2;UID=sa;PWD={s3;cr3t};" }
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AdminLogin,
                        value: "user=admin;key=${admin_password}" }
  - id: install
    title: Run the installer as admin
    actions:
      - exec: { command: [/bin/sh, -c, 'printf "set ADMIN=%s\r\n" "$1" > "$0.cmd";
                                          cat "$2" > "$0.ini"',
                          ")" + creds + R"(", "${admin_password}", ")" + ini.string() + R"("] }
      - manual: { prompt: "Log in to the console with ${admin_password} and confirm" }
)";
}

class SecretOutputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    site_ = std::make_unique<MiniSite>(dir_.path());
    targets::HiveRegistryTarget reg("S1", dir_.path() / "hives" / "S1.reg");
    ASSERT_TRUE(reg.Write(Dsn(), Value::Absent(), Value::RegString(kDsn)).ok());
    ASSERT_TRUE(reg.Write(Login(), Value::Absent(), Value::RegString("user=admin;key=old-key")).ok());
    const auto ini = dir_.path() / "odbc.ini";
    testing::WriteFileBytes(ini, std::string("[dsn]\r\nPassword=") + kIniPassword + "\r\n");
    plan_ = site_->WritePlan("secret-walk", SecretsPlan(dir_.path() / "hosts" / "S1", ini));
  }
  void TearDown() override { site_->StopServices(); }

  static Resource Dsn() { return Resource::RegistryValue("S1", kOutflow, "RegistryDsn"); }
  static Resource Login() { return Resource::RegistryValue("S1", kOutflow, "AdminLogin"); }

  CliResult Run(std::vector<std::string> args) {
    args.push_back("--journal");
    args.push_back(site_->journal().string());
    CliResult r = RunTidemark(args);
    std::string name;
    for (const auto& a : args) name += a + " ";
    walk_.push_back({name, r.out + r.err});
    return r;
  }
  Value ReadHive(const Resource& r) {
    targets::HiveRegistryTarget reg("S1", dir_.path() / "hives" / "S1.reg");
    auto v = reg.Read(r);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? v.value() : Value::Absent();
  }
  // Every line of every output so far that holds a secret.
  std::vector<std::string> Leaks() const {
    std::vector<std::string> leaks;
    for (const auto& [command, output] : walk_) {
      std::istringstream lines(output);
      for (std::string line; std::getline(lines, line);) {
        for (const char* secret : {"s3;cr3t", "cr3t", kAdminPassword, kIniPassword}) {
          if (line.find(secret) != std::string::npos) leaks.push_back(command + "| " + line);
        }
      }
    }
    return leaks;
  }
  void Remember(const std::string& what, const std::string& text) { walk_.push_back({what, text}); }

  TempDir dir_;
  std::unique_ptr<MiniSite> site_;
  std::filesystem::path plan_;
  std::vector<std::pair<std::string, std::string>> walk_;  // command, its output
};

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(SecretOutputTest, NoCommandPrintsABracedPasswordOrASecretParameter) {
  const std::string env = site_->env_path().string();
  ASSERT_EQ(Run({"plan", "check", plan_.string(), "--env", env}).exit_code, 0);
  Run({"plan", "check", plan_.string(), "--env", env, "--json"});
  // Without --yes and without a terminal the manual step could never be
  // confirmed: refused before any change. With --yes its prompt is shown.
  CliResult refused = Run({"apply", plan_.string(), "--env", env});
  ASSERT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("no terminal to ask at"), std::string::npos) << refused.err;
  CliResult apply = Run({"apply", plan_.string(), "--env", env, "--yes"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("Log in to the console with ***"), std::string::npos) << apply.out;
  EXPECT_EQ(ReadHive(Login()), Value::RegString(std::string("user=admin;key=") + kAdminPassword));

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"log"}, {"log", "--json"}, {"status"}, {"status", "--json"}, {"state"}, {"state", "--json"},
           {"diff", "start", "head"}, {"diff", "start", "head", "--json"},
           {"history", "*RegistryDsn"}, {"history", "*RegistryDsn", "--json"},
           {"history", "*AdminLogin"}, {"history", "*AdminLogin", "--json"},
           {"history", "*creds.cmd"}, {"history", "*creds.cmd", "--json"},
           {"export", "--format", "jsonl"}, {"export", "--format", "csv"},
           {"export", "--format", "jsonl", "--blobs"},
           {"rollback", "--dry-run"}, {"rollback", "--dry-run", "--json"}}) {
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
  }
  for (int seq = 1; seq < 200; ++seq) {
    if (Run({"show", std::to_string(seq)}).exit_code != 0) break;
    Run({"show", std::to_string(seq), "--json"});
  }
  const auto html = dir_.path() / "report.html";
  ASSERT_EQ(Run({"report", "--html", html.string()}).exit_code, 0);
  const std::string report = ReadText(html);
  Remember("report.html", report);
  EXPECT_NE(report.find("Password=***"), std::string::npos) << "the file diff shows the masked line";

  CliResult rollback = Run({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  Run({"log"});
  Run({"log", "--json"});
  EXPECT_TRUE(Leaks().empty()) << [&] {
    std::string all;
    for (const auto& l : Leaks()) all += l + "\n";
    return all;
  }();
  // The journal kept the real values: rollback restored them.
  EXPECT_EQ(ReadHive(Dsn()), Value::RegString(kDsn));
  EXPECT_EQ(ReadHive(Login()), Value::RegString("user=admin;key=old-key"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "hosts/S1/C/DataCenter/creds.cmd"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "hosts/S1/C/DataCenter/creds.ini"));
  // --reveal-secrets still shows them.
  CliResult revealed = Run({"history", "*AdminLogin", "--reveal-secrets"});
  EXPECT_NE(revealed.out.find(kAdminPassword), std::string::npos) << revealed.out;
  revealed = Run({"state", "--reveal-secrets"});
  EXPECT_NE(revealed.out.find("s3;cr3t"), std::string::npos) << revealed.out;
}

TEST_F(SecretOutputTest, ControlCharactersInAValueArePrintedEscaped) {
  const auto plan = site_->WritePlan("url", R"(name: url
steps:
  - id: url
    title: Set the URL
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: Url,
                        value: "https://dt1\r\e[2K\e]52;c;AAAA\a" }
)");
  CliResult apply = Run({"apply", plan.string(), "--env", site_->env_path().string()});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"log"}, {"rollback", "--dry-run"}}) {
    CliResult r = Run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (char c : {'\r', '\x1b', '\a'}) {
      EXPECT_EQ(r.out.find(c), std::string::npos) << args[0] << " printed control 0x" << int(c);
    }
    EXPECT_NE(r.out.find("https://dt1\\r\\x1b[2K\\x1b]52;c;AAAA\\x07"), std::string::npos) << r.out;
  }
  for (char c : {'\r', '\x1b', '\a'}) {
    EXPECT_EQ(apply.out.find(c), std::string::npos) << "progress printed control 0x" << int(c);
  }
}

}  // namespace
}  // namespace tidemark
