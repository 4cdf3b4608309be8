// A journal written by the previous release — runStarted without a run kind,
// intents labelled "registry.set@0" without a position — still reads: its
// interrupted run shows in status and resumes to the end.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/targets/registry_target.h"
#include "store/event_log.h"
#include "store/sha256.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;

constexpr char kOutflow[] = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";
constexpr char kSupport[] = "HKLM\\SOFTWARE\\Wow6432Node\\SupportCenter";

constexpr char kPlan[] = R"(name: old-release-plan
steps:
  - id: redirect
    title: Point at the other server
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
  - id: version
    title: Record the new version
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\SupportCenter', name: Version, value: "8.8.7" }
)";

Event Ev(const std::string& step, EventBody body) {
  Event e;
  e.run = "20250101-000000-0001";
  e.step = step;
  e.body = std::move(body);
  return e;
}

std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The events the previous release wrote for an apply interrupted right after
// the first change was made but before its `applied` was recorded.
void WriteOldJournal(const MiniSite& site, const std::filesystem::path& plan_path) {
  const std::string env = ReadText(site.env_path());
  auto log = store::EventLog::Open(site.journal(), store::OpenMode::kCreate);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  RunStarted started;  // no kind: the field did not exist
  started.plan_name = "old-release-plan";
  started.plan_path = plan_path.string();
  started.plan_sha256 = Sha256Hex(kPlan);
  started.env_path = site.env_path().string();
  started.env_sha256 = Sha256Hex(env);
  ASSERT_TRUE(log.value()->Append(Ev("", started), {kPlan, env}).ok());
  ASSERT_TRUE(log.value()->Append(Ev("redirect", StepStarted{"Point at the other server",
                                                             "registry.set"}))
                  .ok());
  const Resource value = Resource::RegistryValue("S1", kOutflow, "DB_PreferedRegistry");
  Intent intent{value, Value::RegString("S1"), Value::RegString("S2"), "registry.set@0", 0, false,
                std::nullopt};
  ASSERT_TRUE(log.value()->Append(Ev("redirect", intent)).ok());
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  ASSERT_TRUE(reg.Write(value, Value::RegString("S1"), Value::RegString("S2")).ok());
}

TEST(OldJournalTest, RunWithoutTypedFieldsResumesToTheEnd) {
  testing::TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("old", kPlan);
  WriteOldJournal(site, plan);
  const std::vector<std::string> j = {"--journal", site.journal().string()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), j.begin(), j.end());
    return args;
  };
  CliResult r = RunTidemark(with({"status", "--json"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"rollback\":false"), std::string::npos) << r.out;
  r = RunTidemark(with({"resume"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  EXPECT_EQ(reg.Read(Resource::RegistryValue("S1", kSupport, "Version")).value(),
            Value::RegString("8.8.7"));
  r = RunTidemark(with({"log"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // And the old run rolls back like a new one.
  r = RunTidemark(with({"rollback", "--to", "start"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(reg.Read(Resource::RegistryValue("S1", kOutflow, "DB_PreferedRegistry")).value(),
            Value::RegString("S1"));
  EXPECT_EQ(reg.Read(Resource::RegistryValue("S1", kSupport, "Version")).value(),
            Value::RegString("8.8.6"));
}

}  // namespace
}  // namespace tidemark
