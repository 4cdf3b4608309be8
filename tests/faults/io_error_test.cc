// I/O errors injected with strace into the real tidemark binary: EIO and ENOSPC
// on the journal's WAL write and fdatasync, and on a target file's write and
// fsync. Each must stop the run with a clear message and a documented exit code,
// leave a journal that opens and verifies, and let `resume` finish the run once
// the fault is gone. The injection hits one call only, so a retry in place would
// let the run finish: it must not.
#include <gtest/gtest.h>

#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemarkProcess;
using testing::TempDir;

bool IsJournalWal(const std::string& path) {
  return path.find("/journal/") != std::string::npos && path.size() > 4 &&
         path.compare(path.size() - 4, 4, ".log") == 0;
}
bool IsMaintScript(const std::string& path) {
  return path.find("DataCenter/") != std::string::npos && path.find("DailyMaint") != std::string::npos;
}

class IoErrorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!StraceWorks(&skip_reason_)) return;
    TempDir dir;
    MiniSite site(dir.path());
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    calls_ = new std::vector<TracedCall>(TraceMainThread(
        "write,fdatasync,fsync", WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}),
        dir / "trace.txt"));
    expected_ = new std::string(site.Fingerprint());
    site.StopServices();
  }
  static void TearDownTestSuite() {
    delete calls_;
    delete expected_;
    calls_ = nullptr;
    expected_ = nullptr;
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
  }

  // Applies FullPlan on a fresh site with `inject` ("fdatasync:error=EIO:when=7"),
  // checks the failure, the journal, and that resume finishes the run.
  void InjectAndRecover(const std::string& inject, int expected_exit, const std::string& expected_words) {
    TempDir dir;
    MiniSite site(dir.path());
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    const std::vector<std::string> apply = {"apply", plan.string(), "--env", site.env_path().string()};
    const std::string script_before = testing::ReadFileBytes(site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd");
    CliResult r = RunUnderStrace(inject, WithJournal(site, apply));
    ++cases_;
    std::printf("[io-error] %s -> exit %d: %s", inject.c_str(), r.exit_code,
                r.err.substr(0, r.err.find('\n') + 1).c_str());
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.exit_code, expected_exit) << inject << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(expected_words), std::string::npos) << inject << "\n" << r.err;
    EXPECT_NE(site.Fingerprint(), *expected_) << "the run went on after " << inject;
    // The script is either untouched or fully replaced, never a torn mix.
    const std::string script = testing::ReadFileBytes(site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd");
    EXPECT_TRUE(script == script_before || script.find("\\130\\Tools\\BINN\\") != std::string::npos) << script;
    CliResult v = RunTidemarkProcess(WithJournal(site, {"verify"}));
    EXPECT_EQ(v.exit_code, 0) << inject << "\n" << v.out << v.err;
    CliResult s = RunTidemarkProcess(WithJournal(site, {"status"}));
    EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
    const std::string err = DriveToEnd(site, apply);
    EXPECT_EQ(err, "") << inject;
    EXPECT_EQ(site.Fingerprint(), *expected_) << inject;
    EXPECT_EQ(RunTidemarkProcess(WithJournal(site, {"verify"})).exit_code, 0);
    site.StopServices();
  }

  static std::string skip_reason_;
  static std::vector<TracedCall>* calls_;
  static std::string* expected_;
  static int cases_;
};
std::string IoErrorTest::skip_reason_;
std::vector<TracedCall>* IoErrorTest::calls_ = nullptr;
std::string* IoErrorTest::expected_ = nullptr;
int IoErrorTest::cases_ = 0;

TEST_F(IoErrorTest, JournalSyncFailureStopsTheRunWithoutRetryAndResumeFinishes) {
  for (const char* syscall : {"fdatasync", "fsync"}) {
    for (int nth : {2, 5, 9}) {
      const int when = NthCallWhere(*calls_, syscall, nth, IsJournalWal);
      if (when == 0) continue;
      SCOPED_TRACE(std::string(syscall) + " #" + std::to_string(nth));
      InjectAndRecover(std::string(syscall) + ":error=EIO:when=" + std::to_string(when), 1, "journal");
    }
  }
  EXPECT_GT(cases_, 0) << "no journal sync found in the trace";
}

TEST_F(IoErrorTest, JournalWriteEnospcStopsTheRunAndResumeFinishes) {
  const int before = cases_;
  for (int nth : {3, 8}) {
    const int when = NthCallWhere(*calls_, "write", nth, IsJournalWal);
    if (when == 0) continue;
    SCOPED_TRACE("write #" + std::to_string(nth));
    InjectAndRecover("write:error=ENOSPC:when=" + std::to_string(when), 1, "journal");
  }
  EXPECT_GT(cases_, before) << "no journal write found in the trace";
}

TEST_F(IoErrorTest, TargetFileWriteErrorFailsTheActionAndResumeFinishes) {
  const int before = cases_;
  struct Case {
    const char* syscall;
    const char* error;
  };
  for (const Case& c : {Case{"write", "ENOSPC"}, Case{"write", "EIO"}, Case{"fsync", "EIO"}, Case{"fdatasync", "EIO"}}) {
    const int when = NthCallWhere(*calls_, c.syscall, 1, IsMaintScript);
    if (when == 0) continue;
    SCOPED_TRACE(std::string(c.syscall) + " " + c.error);
    InjectAndRecover(std::string(c.syscall) + ":error=" + c.error + ":when=" + std::to_string(when), 4,
                     "DailyMaint.cmd");
  }
  EXPECT_GT(cases_, before) << "no write to the maintenance script found in the trace";
}

}  // namespace
}  // namespace tidemark::faults
