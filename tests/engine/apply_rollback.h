// Shared by the apply/rollback suites: the journal flag, a hive value read, and
// the full apply → rollback → apply → checkpoint round trip on a MiniSite,
// which must end byte-for-byte pristine.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/targets/registry_target.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {

// `args` followed by --journal <the site's journal>.
inline std::vector<std::string> J(const testing::MiniSite& site, std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(site.journal().string());
  return args;
}

// The value `name` of `key` in the site's hive file.
inline Value RegValue(const testing::MiniSite& site, const std::string& key, const std::string& name) {
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  return reg.Read(Resource::RegistryValue("S1", key, name)).value();
}

// Runs FullPlan through apply, rollback (dry run and real), apply again and
// rollback to the checkpoint and to the start, checking every target each time.
inline void ApplyRollbackApply(testing::MiniSite& site) {
  const std::string pristine = site.Fingerprint();
  const auto plan = site.WritePlan("full", testing::MiniSite::FullPlan());
  testing::CliResult r = testing::RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("finished"), std::string::npos) << r.out;
  // Every target as planned.
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Outflow", "DB_PreferedRegistry"),
            Value::RegString("S2"));
  EXPECT_EQ(RegValue(site, "HKLM\\SOFTWARE\\Wow6432Node\\Connected\\SSWS",
                     "com.connected.ssw.downloadStagingDir"),
            Value::RegString("D:\\d1scratch"));
  EXPECT_NE(testing::ReadFileBytes(site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd")
                .find("\\130\\Tools\\BINN\\OSQL.EXE\" -E -i daily.sql\r\n"),
            std::string::npos);
  const std::string applied = site.Fingerprint();
  EXPECT_NE(applied, pristine);
  EXPECT_NE(applied.find("https://DT1-CN:9443/DataTransfer"), std::string::npos) << applied;

  r = testing::RunTidemark(J(site, {"rollback", "--dry-run"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("DB_PreferedRegistry"), std::string::npos) << r.out;
  EXPECT_EQ(site.Fingerprint(), applied) << "dry run changed something";

  r = testing::RunTidemark(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);

  r = testing::RunTidemark(J(site, {"drift"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  r = testing::RunTidemark(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), applied);

  // Roll back to the checkpoint, apply again, roll back to the start: the
  // journal tells the whole story and the site ends pristine.
  r = testing::RunTidemark(J(site, {"rollback", "--to", "pre-upgrade"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(site.Fingerprint(), pristine);
  r = testing::RunTidemark(J(site, {"rollback", "--to", "start"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  r = testing::RunTidemark(J(site, {"verify"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace tidemark
