// A real full disk: the journal on a 600 KB tmpfs filled up to a few KB, for
// `init` and for an apply. Each must exit 1 naming "no space left" and the
// journal's path — never abort, never exit 6 — and once space is freed the
// same commands (init, resume) finish. Skipped where tmpfs cannot be mounted.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemarkProcess;
using testing::TempDir;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = tmp_ / "disk";
    fs::create_directories(disk_);
    if (mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=600k,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a 600 KB tmpfs here (" << std::strerror(errno)
                   << "; needs root or CAP_SYS_ADMIN): the full-disk cases did not run";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  fs::path journal() const { return disk_ / "journal"; }

  // Fills the disk until only `leave_kb` KB are free.
  void Fill(uint64_t leave_kb) {
    struct statvfs st {};
    ASSERT_EQ(statvfs(disk_.c_str(), &st), 0);
    const uint64_t avail = st.f_bavail * st.f_frsize;
    const uint64_t fill = avail > leave_kb * 1024 ? avail - leave_kb * 1024 : 0;
    std::ofstream f(disk_ / "filler", std::ios::binary);
    const std::string chunk(4096, 'f');
    for (uint64_t done = 0; done < fill; done += chunk.size()) {
      f.write(chunk.data(), static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), fill - done)));
    }
  }
  void Free() { fs::remove(disk_ / "filler"); }

  // What every command on a full disk must do: exit 1 (or succeed, when the
  // space sufficed), naming the cause and where.
  void ExpectNoSpaceOrOk(const CliResult& r, const std::string& what) {
    EXPECT_EQ(r.signal, 0) << what << " was killed by signal " << r.signal << ": " << r.err;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << what << " exit " << r.exit_code << ": " << r.err;
    if (r.exit_code == 1) {
      EXPECT_NE(Lower(r.err).find("no space left"), std::string::npos) << what << ": " << r.err;
      EXPECT_NE(r.err.find(disk_.string()), std::string::npos) << what << ": " << r.err;
    }
  }

  TempDir tmp_;
  fs::path disk_;
  bool mounted_ = false;
};

TEST_F(DiskFullTest, InitOnAFullDiskExitsOneAndWorksOnceSpaceIsFreed) {
  int refused = 0;
  for (uint64_t leave_kb : {0, 4, 8, 16, 32, 64, 100}) {
    SCOPED_TRACE("free: " + std::to_string(leave_kb) + " KB");
    fs::remove_all(journal());
    Fill(leave_kb);
    CliResult r = RunTidemarkProcess({"init", "--journal", journal().string()});
    ExpectNoSpaceOrOk(r, "init");
    refused += r.exit_code == 1 ? 1 : 0;
    Free();
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"init"}, {"note", "space again"}, {"status"}, {"verify"}}) {
      std::vector<std::string> full = args;
      full.insert(full.end(), {"--journal", journal().string()});
      CliResult after = RunTidemarkProcess(full);
      EXPECT_EQ(after.exit_code, 0) << args[0] << ": " << after.out << after.err;
    }
  }
  std::printf("[disk-full] init refused with exit 1 at %d of 7 fill levels, then worked\n", refused);
  EXPECT_GT(refused, 0);
}

// Drives the run on `journal` to its end (start it if it was never recorded).
std::string FinishRun(const std::vector<std::string>& apply, const fs::path& journal) {
  std::string log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    CliResult st = RunTidemarkProcess({"status", "--json", "--journal", journal.string()});
    const bool no_run = st.out.find("\"run\":{") == std::string::npos;
    CliResult next = RunTidemarkProcess(
        no_run ? apply : std::vector<std::string>{"resume", "--journal", journal.string()});
    if (next.exit_code == 0) return "";
    log += next.out + next.err;
  }
  return log;
}

TEST_F(DiskFullTest, ApplyOnAFullDiskStopsWithExitOneAndResumeFinishesOnceSpaceIsFreed) {
  std::string expected;
  {
    TempDir ref_dir;
    MiniSite ref(ref_dir.path());
    const auto plan = ref.WritePlan("full", MiniSite::FullPlan());
    EXPECT_EQ(RunTidemarkProcess(WithJournal(ref, {"apply", plan.string(), "--env", ref.env_path().string()}))
                  .exit_code, 0);
    expected = ref.Fingerprint();
    ref.StopServices();
  }
  int stopped_mid_run = 0;
  // The run needs a few KB: sweep the free space so some level stops it after
  // its start was recorded, whatever the exact sizes of RocksDB's files.
  int levels = 0;
  for (uint64_t leave_kb = 8; leave_kb <= 80; leave_kb += 8) {
    ++levels;
    SCOPED_TRACE("free: " + std::to_string(leave_kb) + " KB");
    fs::remove_all(journal());
    TempDir site_dir;
    MiniSite site(site_dir.path());
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    const std::vector<std::string> apply = {"apply", plan.string(), "--env", site.env_path().string(),
                                            "--journal", journal().string()};
    ASSERT_EQ(RunTidemarkProcess({"init", "--journal", journal().string()}).exit_code, 0);
    Fill(leave_kb);
    CliResult r = RunTidemarkProcess(apply);
    ExpectNoSpaceOrOk(r, "apply");
    CliResult st = RunTidemarkProcess({"status", "--json", "--journal", journal().string()});
    const bool started = st.out.find("\"run\":{") != std::string::npos;
    if (r.exit_code == 1 && started) {
      if (stopped_mid_run++ == 0) std::printf("[disk-full] apply with %d KB free:\n%s", static_cast<int>(leave_kb), r.err.c_str());
      CliResult still_full = RunTidemarkProcess({"resume", "--journal", journal().string()});
      ExpectNoSpaceOrOk(still_full, "resume on the full disk");
    }
    Free();
    EXPECT_EQ(FinishRun(apply, journal()), "");
    EXPECT_EQ(site.Fingerprint(), expected);
    CliResult v = RunTidemarkProcess({"verify", "--journal", journal().string()});
    EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
    site.StopServices();
    fs::remove(disk_ / "filler");
  }
  std::printf("[disk-full] apply stopped mid-run with exit 1 at %d of %d fill levels; every one resumed to the end\n",
              stopped_mid_run, levels);
  EXPECT_GT(stopped_mid_run, 0);
}

}  // namespace
}  // namespace tidemark::faults
