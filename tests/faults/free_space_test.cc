// The manual's free-space check before an upgrade (lines 195-201: free disk
// space of 10% of Registry.mdf and Registry.ldf, "Do not attempt to upgrade
// your Data Center if you do not have the required amount"): an assert with
// free_space on a real volume. A 1 MB tmpfs holds the database file and is
// nearly full: the plan stops at its check, before its first change; once
// space is freed, resume goes on. Skipped where tmpfs cannot be mounted.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "tests/engine/apply_rollback.h"
#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemark;
using testing::TempDir;

const char kOutflowKey[] = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";

const char kPlan[] = R"(name: free-space
steps:
  - id: check-free-space
    title: 10% free for the Registry database file and its log
    actions:
      - assert: { host: S1, path: 'E:\SQLData\Registry.mdf', free_space: 10% }
      - assert: { host: S1, path: 'C:\SQLData\Registry.ldf', free_space: "10" }
  - id: redirect
    title: The first change
    actions:
      - registry.set: { host: S1, key: 'HKLM\SOFTWARE\Wow6432Node\Outflow', name: DB_PreferedRegistry, value: S2 }
)";

void WriteBytes(const fs::path& p, size_t n) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  const std::string chunk(4096, 'd');
  for (size_t done = 0; done < n; done += chunk.size()) {
    f.write(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), n - done)));
  }
}

class FreeSpaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    volume_ = site_.dir() / "hosts" / "S1" / "E";
    fs::create_directories(volume_);
    if (mount("tmpfs", volume_.c_str(), "tmpfs", 0, "size=1m,mode=0755") != 0) {
      GTEST_SKIP() << "cannot mount a 1 MB tmpfs here (" << std::strerror(errno)
                   << "; needs root or CAP_SYS_ADMIN): the free-space cases did not run";
    }
    mounted_ = true;
    WriteBytes(site_.dir() / "hosts" / "S1" / "C" / "SQLData" / "Registry.ldf", 64 * 1024);
  }
  void TearDown() override {
    site_.StopServices();
    if (mounted_) umount2(volume_.c_str(), MNT_DETACH);
  }
  uint64_t Available() const {
    struct statvfs st {};
    EXPECT_EQ(statvfs(volume_.c_str(), &st), 0);
    return st.f_bavail * st.f_frsize;
  }

  TempDir dir_;
  MiniSite site_{dir_.path()};
  fs::path volume_;
  bool mounted_ = false;
};

TEST_F(FreeSpaceTest, AFullVolumeStopsThePlanBeforeItsFirstChangeAndResumeGoesOnOnceFreed) {
  // Registry.mdf fills 600 KB of the volume; a filler takes the rest but 20 KB
  // (10% of 600 KB is 60 KB).
  WriteBytes(volume_ / "SQLData" / "Registry.mdf", 600 * 1024);
  const uint64_t avail = Available();
  ASSERT_GT(avail, 20u * 1024);
  WriteBytes(volume_ / "filler", static_cast<size_t>(avail - 20 * 1024));
  const Value before = RegValue(site_, kOutflowKey, "DB_PreferedRegistry");
  const auto plan = site_.WritePlan("free", kPlan);

  CliResult r = RunTidemark(J(site_, {"apply", plan.string(), "--env", site_.env_path().string(), "--yes"}));
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.exit_code, 6) << r.out << r.err;
  const std::string all = r.out + r.err;
  EXPECT_NE(all.find("E:\\SQLData\\Registry.mdf"), std::string::npos) << all;
  EXPECT_NE(all.find("the volume holding it has"), std::string::npos) << all;
  EXPECT_NE(all.find("10% of the file's 600.0 KB is 60.0 KB"), std::string::npos) << all;
  EXPECT_EQ(RegValue(site_, kOutflowKey, "DB_PreferedRegistry"), before) << "a change was made";

  fs::remove(volume_ / "filler");
  r = RunTidemark(J(site_, {"resume", "--yes"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(RegValue(site_, kOutflowKey, "DB_PreferedRegistry"), Value::RegString("S2"));
}

TEST_F(FreeSpaceTest, AMissingFileOrABadPercentageIsAClearError) {
  const auto plan = site_.WritePlan("free", kPlan);
  const Value before = RegValue(site_, kOutflowKey, "DB_PreferedRegistry");
  CliResult r = RunTidemark(J(site_, {"apply", plan.string(), "--env", site_.env_path().string(), "--yes"}));
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("expected the file to exist"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(RegValue(site_, kOutflowKey, "DB_PreferedRegistry"), before);

  std::string bad = kPlan;
  bad.replace(bad.find("free_space: 10%"), 15, "free_space: ten percent");
  const auto bad_plan = site_.WritePlan("bad", bad);
  r = RunTidemark({"plan", "check", bad_plan.string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("bad.yaml:6:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("free_space must be a percentage of the file's size such as 10%"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tidemark::faults
