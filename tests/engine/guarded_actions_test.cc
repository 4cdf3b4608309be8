// Actions that keep a plan from doing what the manual never asked: a
// registry.set on a key that does not exist is refused (a misspelt key is not
// created beside the real one), registry.replace changes only the text it
// names inside a string, a service action may be allowed to fail where the
// manual says its error can be ignored, and may skip a service that is not
// installed. Real hive files, SQLite and process services on a MiniSite.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/targets/registry_target.h"
#include "tests/engine/apply_rollback.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

const char kSc[] = "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter";

void SetValue(const MiniSite& site, const std::string& key, const std::string& name, const Value& v) {
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  const Resource r = Resource::RegistryValue("S1", key, name);
  auto now = reg.Read(r);
  ASSERT_TRUE(now.ok());
  ASSERT_TRUE(reg.Write(r, now.value(), v).ok());
}

CliResult Apply(const MiniSite& site, const std::filesystem::path& plan) {
  return RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string(), "--yes"}));
}

// The manual's other spelling of the Support Center key does not exist on
// this site: before the first change, apply and plan check say so and name
// the nearest key that does; nothing is changed and no journal is made.
TEST(GuardedActionsTest, SetOnAMissingKeyIsRefusedBeforeTheFirstChange) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("stray", R"(name: stray-key
steps:
  - id: one
    title: A change that is fine
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
  - id: two
    title: The key spelt as the manual's post-upgrade section does
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Connected\SupportCenter', name: RegistryConnect, value: x }
)");
  CliResult r = Apply(site, plan);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("key HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SupportCenter does not exist "
                       "on S1 (the nearest key that does is HKLM\\SOFTWARE\\Wow6432Node)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("nothing was changed"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  EXPECT_FALSE(std::filesystem::exists(site.journal()));
  r = RunTidemark({"plan", "check", plan.string(), "--env", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("MISSING registry key S1: key HKLM\\SOFTWARE\\Wow6432Node\\Connected\\"
                       "SupportCenter does not exist"),
            std::string::npos)
      << r.out << r.err;
}

// create_key: true says the plan means to make the key: it and its missing
// parents are changes of their own, and rollback removes them again.
TEST(GuardedActionsTest, CreateKeyMakesTheKeyAndRollbackRemovesIt) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("create", R"(name: create-key
steps:
  - id: one
    title: A new key on purpose
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Connected\SSWS', name: Dir, value: 'D:\x', create_key: true }
  - id: two
    title: Another value of the key step one makes
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Connected\SSWS', name: Port, value: '443' }
)");
  // The dry run knows step one makes the key: step two is a change, not a problem.
  CliResult r = RunTidemark({"plan", "check", plan.string(), "--env", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SSWS\\Port"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("WOULD FAIL"), std::string::npos) << r.out;
  r = Apply(site, plan);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SSWS", "Dir"), Value::RegString("D:\\x"));
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SSWS", "Port"), Value::RegString("443"));
  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

// After a manual step (or an installer) a key may have been made, so the
// check waits until the action runs: the step fails there, resumably.
TEST(GuardedActionsTest, SetOnAKeyStillMissingAfterAManualStepFailsThatStep) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("after", R"(name: after-manual
watch:
  - registry: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node' }
steps:
  - id: one
    title: The admin installs something
    actions:
      - manual: { prompt: "Install the component." }
  - id: two
    title: A value of the key it should have made
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Component', name: Mode, value: on }
)");
  // The dry run says what must happen first, and is no problem yet.
  CliResult r = RunTidemark({"plan", "check", plan.string(), "--env", site.env_path().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("NOTE: key HKLM\\SOFTWARE\\Wow6432Node\\Component does not exist now; unless "
                       "the exec or manual step before creates it, this action fails"),
            std::string::npos)
      << r.out;
  r = Apply(site, plan);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("key HKLM\\SOFTWARE\\Wow6432Node\\Component does not exist on S1 (the nearest "
                       "key that does is HKLM\\SOFTWARE\\Wow6432Node)"),
            std::string::npos)
      << r.err;
  // The component is installed after all: resume finishes the step.
  SetValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Component", "Other", Value::RegDword(1));
  r = RunTidemark(J(site, {"resume"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Component", "Mode"), Value::RegString("on"));
}

// RegistryConnect redirected as the manual does it (only the server name
// changes): a non-default driver, a named instance and a port are kept; a
// longer server name that merely starts with the name is not touched.
TEST(GuardedActionsTest, ReplaceChangesOnlyTheNamedTextInAString) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string original =
      "DRIVER={ODBC Driver 17 for SQL Server};SERVER=S1\\BACKUP,1433;DATABASE=Registry;"
      "Trusted_Connection=Yes;APP=S1-monitor";
  SetValue(site, kSc, "RegistryConnect", Value::RegString(original));
  // A REG_EXPAND_SZ stored without its terminating NUL, as some installers write it.
  Value unterminated = Value::RegString("%ProgramFiles%\\S1\\logs", kRegExpandSz);
  unterminated.bytes.resize(unterminated.bytes.size() - 2);
  SetValue(site, kSc, "LogDir", unterminated);
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("replace", R"(name: replace
parameters:
  from: { default: S1 }
  to: { default: S2 }
steps:
  - id: redirect
    title: Redirect Support Center
    actions:
      - registry.replace: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: RegistryConnect,
                            from: "SERVER=${from}", to: "SERVER=${to}", whole_word: true }
      - registry.replace: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: LogDir,
                            from: '\S1\', to: '\S2\' }
)");
  CliResult r = Apply(site, plan);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 occurrence(s) of 'SERVER=S1'"), std::string::npos) << r.out;
  EXPECT_EQ(RegValue(site, kSc, "RegistryConnect"),
            Value::RegString("DRIVER={ODBC Driver 17 for SQL Server};SERVER=S2\\BACKUP,1433;"
                             "DATABASE=Registry;Trusted_Connection=Yes;APP=S1-monitor"));
  Value expanded = Value::RegString("%ProgramFiles%\\S2\\logs", kRegExpandSz);
  expanded.bytes.resize(expanded.bytes.size() - 2);
  EXPECT_EQ(RegValue(site, kSc, "LogDir"), expanded);
  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);

  // SERVER=S10 does not hold SERVER=S1 as a whole word: the step fails and
  // the value is left as it was.
  SetValue(site, kSc, "RegistryConnect", Value::RegString("DRIVER={SQL Server};SERVER=S10;DATABASE=Registry"));
  const std::string before = site.Fingerprint();
  r = Apply(site, plan);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("'SERVER=S1' does not occur as a whole word in S1 "), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), before);
}

TEST(GuardedActionsTest, ReplaceRefusesAValueThatIsNotText) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("dword", R"(name: dword
steps:
  - id: one
    title: Text in a number
    actions:
      - registry.replace: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, from: "1", to: "0" }
)");
  const std::string pristine = site.Fingerprint();
  CliResult r = Apply(site, plan);
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("is REG_DWORD, not a REG_SZ or REG_EXPAND_SZ text"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

// A disabled service will not start; where the plan allows the failure the
// step records it and goes on (without, the step fails). A service not
// installed is skipped by if_exists.
TEST(GuardedActionsTest, AllowedFailureIsRecordedAndTheStepGoesOn) {
  if (!MiniSite::HasServices()) GTEST_SKIP() << "the site has no services here";
  TempDir dir;
  MiniSite site(dir.path());
  testing::WriteFileBytes(site.dir() / "services/S1/Alerter.service",
                          "exec=/bin/sleep\narg=3600\nstart=disabled\nstop_timeout_ms=2000\n");
  auto plan_text = [](const char* allow) {
    return std::string(R"(name: alerter
steps:
  - id: start
    title: Start the Data Center
    actions:
      - service.stop: { host: S1, name: Replication, if_exists: true }
      - service.start: { host: S1, name: Alerter)") + allow + R"( }
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: AllowBackups, type: REG_DWORD, value: 0 }
)";
  };
  const std::string pristine = site.Fingerprint();
  CliResult r = Apply(site, site.WritePlan("strict", plan_text("")));
  EXPECT_EQ(r.exit_code, 4) << r.out << r.err;
  EXPECT_NE(r.err.find("Alerter is disabled"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  std::filesystem::remove_all(site.journal());

  r = Apply(site, site.WritePlan("allowed", plan_text(", allow_failure: true")));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("service Replication is not installed on S1; skipped (if_exists)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed, and the plan allows it (allow_failure): "), std::string::npos) << r.out;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "AllowBackups"), Value::RegDword(0));
  r = RunTidemark(J(site, {"log", "--kind", "decision", "--json"}));
  EXPECT_NE(r.out.find("\"choice\":\"allowed-failure\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Alerter is disabled"), std::string::npos) << r.out;
  r = RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

}  // namespace
}  // namespace tidemark

namespace tidemark {
namespace {

// A prompt that asks for the admin's judgement (DBMaint.sql's output has no
// errors) is never answered by --yes: without a terminal, apply refuses before
// the first change and names the --confirm STEP that answers it.
TEST(GuardedActionsTest, AJudgedPromptIsNotConfirmedByYes) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("judged", R"(name: judged
steps:
  - id: redirect
    title: A change
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
  - id: check-data-integrity
    title: DBMaint.sql
    actions:
      - manual: { prompt: "Confirm only if DBMaint.sql's output has no errors.", judge: true }
      - manual: { prompt: "Close the console." }
)");
  CliResult r = Apply(site, plan);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("asks for your judgement in step(s) check-data-integrity"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pass --confirm check-data-integrity; nothing was changed"), std::string::npos) << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  EXPECT_FALSE(std::filesystem::exists(site.journal()));

  r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string(), "--yes", "--confirm",
                           "check-data-integrty"}));
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--confirm check-data-integrty: plan judged has no step with that id"), std::string::npos)
      << r.err;

  r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string(), "--yes", "--confirm",
                           "check-data-integrity"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("manual step confirmed by --confirm check-data-integrity: Confirm only if"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("manual step confirmed by --yes: Close the console."), std::string::npos) << r.out;
}

}  // namespace
}  // namespace tidemark
