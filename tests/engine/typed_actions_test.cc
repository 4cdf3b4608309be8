// Typed actions and run kinds end to end: a user plan named "rollback" is an
// apply run (it resumes and rolls back), and each registry change parses its
// hive once per protocol phase (before, compare-and-set, read back).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/targets/reg_file.h"
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

std::vector<std::string> J(const MiniSite& site, std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(site.journal().string());
  return args;
}

Value RegValue(const MiniSite& site, const std::string& key, const std::string& name) {
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  return reg.Read(Resource::RegistryValue("S1", key, name)).value();
}

constexpr char kOutflow[] = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";

TEST(TypedActionsTest, PlanNamedRollbackFailsResumesAndRollsBack) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto flag = dir.path() / "installer-done";
#ifdef _WIN32
  const std::string check = "if exist \"" + flag.string() + "\" (exit /b 0) else (exit /b 1)";
#else
  const std::string check = "test -f \"" + flag.string() + "\"";
#endif
  const auto plan = site.WritePlan("rollback", std::string(R"(name: rollback
steps:
  - id: redirect
    title: Point at the other server
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S9 }
  - id: installer
    title: Run the installer
    actions:
      - exec: { command: ')") + check + R"(', shell: true }
  - id: after
    title: Mark the upgrade
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: Upgraded, value: "yes" }
)");
  CliResult r = RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 4) << r.out << r.err;  // stopped at the failed exec step
  EXPECT_EQ(RegValue(site, kOutflow, "DB_PreferedRegistry"), Value::RegString("S9"));

  // Not silently re-run; with --rerun-step it runs again once fixed.
  r = RunTidemark(J(site, {"resume"}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--rerun-step"), std::string::npos) << r.err;
  std::ofstream(flag) << "ok\n";
  r = RunTidemark(J(site, {"resume", "--rerun-step"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter", "Upgraded"),
            Value::RegString("yes"));

  r = RunTidemark(J(site, {"status", "--json"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"rollback\":false"), std::string::npos) << r.out;

  r = RunTidemark(J(site, {"rollback", "--to", "start"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

// Hive parses while `args` runs in-process.
uint64_t HiveParses(const std::vector<std::string>& args, int expected_exit) {
  const uint64_t before = targets::Hive::ParseCount();
  CliResult r = RunTidemark(args);
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  return targets::Hive::ParseCount() - before;
}

TEST(TypedActionsTest, RegistrySetParsesItsHiveOncePerPhase) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("one", R"(name: one-value
steps:
  - id: redirect
    title: Point at the other server
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
)");
  // The preflight's one read of the host's hive (once per host and run,
  // engine/preflight.h), then before, compare-and-set, read back.
  EXPECT_EQ(HiveParses(J(site, {"apply", plan.string(), "--env", site.env_path().string()}), 0),
            1u + 3u);
  EXPECT_EQ(RegValue(site, kOutflow, "DB_PreferedRegistry"), Value::RegString("S2"));
  // The reverse action: planning's read is its before; then compare-and-set, read back.
  EXPECT_EQ(HiveParses(J(site, {"rollback"}), 0), 3u);
  EXPECT_EQ(RegValue(site, kOutflow, "DB_PreferedRegistry"), Value::RegString("S1"));
}

TEST(TypedActionsTest, NewValueReadsItsKeyOnlyToKnowWhetherToCreateIt) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("new", R"(name: new-value
steps:
  - id: add
    title: A new value in an existing key
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: Fresh, value: x }
)");
  // The preflight's read of the hive, the value (absent) and its key
  // (present) in the before phase, then compare-and-set and read back.
  EXPECT_EQ(HiveParses(J(site, {"apply", plan.string(), "--env", site.env_path().string()}), 0),
            1u + 4u);
  // Reversing it: read, compare-and-set (delete), read back.
  EXPECT_EQ(HiveParses(J(site, {"rollback"}), 0), 3u);
  EXPECT_TRUE(RegValue(site, kOutflow, "Fresh").absent());
}

}  // namespace
}  // namespace tidemark
