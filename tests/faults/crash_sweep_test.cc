// Crash sweep from outside the process: the real tidemark binary runs an apply
// (and a rollback) of MiniSite::FullPlan under `strace -e inject=<sync>:signal=KILL:when=N`
// for N = 1, 2, ... until a run gets through untouched; after each kill, resume must
// finish the run with every target exactly as after an uninterrupted run (or, for a
// rollback, pristine) and the journal must verify. Plus a bounded random kill -9 loop.
// CI runs every 3rd N; TIDEMARK_CRASH_SWEEP=full (tools/crash-sweep) runs every N.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <thread>

#include "tests/faults/fault_helpers.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace tidemark::faults {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemarkProcess;
using testing::TempDir;

struct SweepStats {
  int crashes = 0;       // runs killed by the injection
  int points = 0;        // N values tried
  int total_syncs = 0;   // the first N that did not kill (= syncs + 1)
};

// Fingerprint of a MiniSite after an uninterrupted apply of FullPlan.
std::string ReferenceApplied() {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  CliResult r = RunTidemarkProcess(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string fp = site.Fingerprint();
  site.StopServices();
  return fp;
}

void Report(const char* what, const SweepStats& s) {
  std::printf("[crash-sweep] %s: %d crash points tried, %d killed runs resumed to the expected end\n", what,
              s.points, s.crashes);
  ::testing::Test::RecordProperty(std::string(what) + "_crash_points", s.points);
}

// Apply killed at the Nth `syscall`, then driven to its end.
SweepStats SweepApply(const std::string& syscall, int step, std::chrono::seconds budget) {
  const std::string expected = ReferenceApplied();
  SweepStats stats;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (int n = 1; n < 400; n += step) {
    if (std::chrono::steady_clock::now() > deadline) break;
    TempDir dir;
    MiniSite site(dir.path());
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    const std::vector<std::string> apply = {"apply", plan.string(), "--env", site.env_path().string()};
    CliResult r = RunUnderStrace(syscall + ":signal=KILL:when=" + std::to_string(n), WithJournal(site, apply));
    ++stats.points;
    if (r.signal == 0) {
      EXPECT_EQ(r.exit_code, 0) << "N=" << n << ": " << r.out << r.err;
      stats.total_syncs = n;
      site.StopServices();
      break;
    }
    EXPECT_EQ(r.signal, SIGKILL) << "N=" << n;
    ++stats.crashes;
    const std::string err = DriveToEnd(site, apply);
    EXPECT_EQ(err, "") << syscall << " N=" << n;
    EXPECT_EQ(site.Fingerprint(), expected) << syscall << " N=" << n;
    CliResult v = RunTidemarkProcess(WithJournal(site, {"verify"}));
    EXPECT_EQ(v.exit_code, 0) << syscall << " N=" << n << ": " << v.out << v.err;
    site.StopServices();
    if (::testing::Test::HasFailure()) break;
  }
  return stats;
}

// Apply uninterrupted, then a rollback killed at the Nth `syscall`, driven to its end.
SweepStats SweepRollback(const std::string& syscall, int step, std::chrono::seconds budget) {
  SweepStats stats;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (int n = 1; n < 400; n += step) {
    if (std::chrono::steady_clock::now() > deadline) break;
    TempDir dir;
    MiniSite site(dir.path());
    const std::string pristine = site.Fingerprint();
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    CliResult a = RunTidemarkProcess(WithJournal(site, {"apply", plan.string(), "--env", site.env_path().string()}));
    EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
    if (a.exit_code != 0) break;
    CliResult r = RunUnderStrace(syscall + ":signal=KILL:when=" + std::to_string(n),
                                 WithJournal(site, {"rollback"}));
    ++stats.points;
    if (r.signal == 0) {
      EXPECT_EQ(r.exit_code, 0) << "N=" << n << ": " << r.out << r.err;
      EXPECT_EQ(site.Fingerprint(), pristine);
      stats.total_syncs = n;
      site.StopServices();
      break;
    }
    ++stats.crashes;
    const std::string err = DriveToEnd(site, {"rollback"}, /*rollback=*/true);
    EXPECT_EQ(err, "") << syscall << " N=" << n;
    EXPECT_EQ(site.Fingerprint(), pristine) << syscall << " N=" << n << "\nkilled run: " << r.out << r.err
        << "\nlog: " << RunTidemarkProcess(WithJournal(site, {"log", "--oldest-first"})).out;
    CliResult v = RunTidemarkProcess(WithJournal(site, {"verify"}));
    EXPECT_EQ(v.exit_code, 0) << syscall << " N=" << n << ": " << v.out << v.err;
    site.StopServices();
    if (::testing::Test::HasFailure()) break;
  }
  return stats;
}

// A plan whose installer patches a watched file; its first attempt then
// kills tidemark (the marker says a first attempt ran), a rerun finds the
// patch there and exits 0.
std::filesystem::path RerunPlan(const MiniSite& site, const std::filesystem::path& marker) {
  const std::string file = (site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd").string();
  return site.WritePlan("rerun", "name: rerun\n"
      "watch:\n  - folder: { host: S1, path: 'C:\\DataCenter' }\n"
      "steps:\n"
      "  - id: setup\n    title: Vendor setup\n    actions:\n"
      "      - exec: { shell: true, command: \"grep -q patched '" + file + "' || printf 'REM patched\\\\r\\\\n' >> '" +
      file + "'; [ -e '" + marker.string() + "' ] || { touch '" + marker.string() + "'; kill -9 $PPID; }\" }\n"
      "  - id: after\n    title: After setup\n    actions:\n"
      "      - registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: DB_PreferedRegistry, value: S2 }\n");
}

// Resumes until the run finishes, answering --rerun-step whenever resume asks.
std::string ResumeRerunningToEnd(const MiniSite& site) {
  std::string log;
  std::vector<std::string> args = {"resume"};
  for (int attempt = 0; attempt < 6; ++attempt) {
    CliResult r = RunTidemarkProcess(WithJournal(site, args));
    log += std::to_string(r.exit_code) + ": " + r.out + r.err + "\n";
    if (r.exit_code == 0) return "";
    args = {"resume"};
    if (r.err.find("--rerun-step") != std::string::npos) args.push_back("--rerun-step");
  }
  return "did not finish:\n" + log;
}

// An installer killed with tidemark, then `resume --rerun-step` killed at the
// Nth `syscall`, then resumed to the end: the site ends as after one
// uninterrupted run, and rollback (which must know what the first attempt
// changed) brings it back to pristine.
SweepStats SweepRerunStep(const std::string& syscall, int step, std::chrono::seconds budget) {
  std::string expected;
  {
    TempDir dir, marks;
    MiniSite site(dir.path());
    const auto marker = marks / "first-attempt-ran";
    testing::WriteFileBytes(marker, "");
    CliResult r = RunTidemarkProcess(WithJournal(site, {"apply", RerunPlan(site, marker).string(), "--env",
                                                        site.env_path().string()}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    expected = site.Fingerprint();
    site.StopServices();
  }
  SweepStats stats;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (int n = 1; n < 200; n += step) {
    if (std::chrono::steady_clock::now() > deadline) break;
    TempDir dir, marks;
    MiniSite site(dir.path());
    const std::string pristine = site.Fingerprint();
    CliResult a = RunTidemarkProcess(WithJournal(site, {"apply", RerunPlan(site, marks / "first-attempt-ran").string(),
                                                        "--env", site.env_path().string()}));
    EXPECT_EQ(a.signal, SIGKILL) << a.out << a.err;
    CliResult r = RunUnderStrace(syscall + ":signal=KILL:when=" + std::to_string(n),
                                 WithJournal(site, {"resume", "--rerun-step"}));
    ++stats.points;
    const std::string where = "resume --rerun-step killed at " + syscall + " " + std::to_string(n);
    if (r.signal == 0) {
      EXPECT_EQ(r.exit_code, 0) << where << ": " << r.out << r.err;
      stats.total_syncs = n;
    } else {
      ++stats.crashes;
      EXPECT_EQ(ResumeRerunningToEnd(site), "") << where;
    }
    EXPECT_EQ(site.Fingerprint(), expected) << where;
    CliResult back = RunTidemarkProcess(WithJournal(site, {"rollback"}));
    EXPECT_EQ(back.exit_code, 0) << where << ": " << back.out << back.err;
    EXPECT_EQ(site.Fingerprint(), pristine) << where << "\nlog: "
        << RunTidemarkProcess(WithJournal(site, {"log", "--oldest-first"})).out;
    CliResult v = RunTidemarkProcess(WithJournal(site, {"verify"}));
    EXPECT_EQ(v.exit_code, 0) << where << ": " << v.out << v.err;
    site.StopServices();
    if (r.signal == 0 || ::testing::Test::HasFailure()) break;
  }
  return stats;
}

// Names in `dir` other than the journal itself (abandoned creations).
std::vector<std::string> StrayEntries(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name != "journal" && name.find("journal") != std::string::npos) out.push_back(name);
  }
  return out;
}

// After a kill while the journal was being created: init, note, status and
// verify all succeed, and no half-built copy is left beside the journal.
void ExpectWorkingJournalAfter(const MiniSite& site, const std::string& where) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"init"}, {"note", "after the crash"}, {"status"}, {"verify"}}) {
    CliResult r = RunTidemarkProcess(WithJournal(site, args));
    EXPECT_EQ(r.exit_code, 0) << where << ": " << args[0] << ": " << r.out << r.err;
  }
  EXPECT_EQ(StrayEntries(site.dir()), std::vector<std::string>{}) << where;
}

// `first` (init, or an apply that creates the journal) killed at its Nth
// `syscall` for every N up to `limit` or until it runs through.
SweepStats SweepCreation(const std::string& syscall, const std::vector<std::string>& first, int limit, int step,
                         const std::function<std::vector<std::string>(const MiniSite&)>& args_for) {
  SweepStats stats;
  for (int n = 1; n <= limit; n += step) {
    TempDir dir;
    MiniSite site(dir.path());
    std::vector<std::string> args = first;
    if (args_for) args = args_for(site);
    CliResult r = RunUnderStrace(syscall + ":signal=KILL:when=" + std::to_string(n), WithJournal(site, args));
    ++stats.points;
    const std::string where = first[0] + " killed at " + syscall + " " + std::to_string(n);
    if (r.signal == 0) {
      EXPECT_EQ(r.exit_code, 0) << where << ": " << r.out << r.err;
      stats.total_syncs = n;
      site.StopServices();
      break;
    }
    ++stats.crashes;
    ExpectWorkingJournalAfter(site, where);
    if (args_for) {
      EXPECT_EQ(DriveToEnd(site, args), "") << where;
    }
    site.StopServices();
    if (::testing::Test::HasFailure()) break;
  }
  return stats;
}

class CrashSweepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string reason;
    if (!StraceWorks(&reason)) GTEST_SKIP() << reason;
  }
  int step() const { return FullSweep() ? 1 : 3; }
  std::chrono::seconds budget() const { return FullSweep() ? std::chrono::seconds(3600) : std::chrono::seconds(20); }
};

TEST_F(CrashSweepTest, ApplyKilledAtEveryFdatasyncResumesToTheSameEnd) {
  const SweepStats s = SweepApply("fdatasync", step(), budget());
  Report("apply/fdatasync", s);
  EXPECT_GT(s.crashes, 0);
}

TEST_F(CrashSweepTest, ApplyKilledAtEveryFsyncResumesToTheSameEnd) {
  const SweepStats s = SweepApply("fsync", step(), budget());
  Report("apply/fsync", s);
  EXPECT_GT(s.crashes, 0);
}

TEST_F(CrashSweepTest, RollbackKilledAtEveryFdatasyncEndsPristine) {
  const SweepStats s = SweepRollback("fdatasync", step(), budget());
  Report("rollback/fdatasync", s);
  EXPECT_GT(s.crashes, 0);
}

TEST_F(CrashSweepTest, RollbackKilledAtEveryFsyncEndsPristine) {
  const SweepStats s = SweepRollback("fsync", step(), budget());
  Report("rollback/fsync", s);
}

TEST_F(CrashSweepTest, InitKilledAtEverySyncLeavesAWorkingJournal) {
  for (const std::string syscall : {"fdatasync", "fsync"}) {
    const SweepStats s = SweepCreation(syscall, {"init"}, 100, 1, nullptr);
    Report(("init/" + syscall).c_str(), s);
    EXPECT_GT(s.crashes, 0) << syscall;
    EXPECT_GT(s.total_syncs, 0) << syscall << ": init never ran through";
  }
}

// The first syncs of an apply on a new journal are those of its creation.
TEST_F(CrashSweepTest, ApplyKilledWhileCreatingItsJournalLeavesAWorkingJournal) {
  auto apply = [](const MiniSite& site) {
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    return std::vector<std::string>{"apply", plan.string(), "--env", site.env_path().string()};
  };
  TempDir dir;
  const auto calls = TraceMainThread("fdatasync,fsync", {"init", "--journal", (dir / "journal").string()},
                                     dir / "trace.txt");
  for (const std::string syscall : {"fdatasync", "fsync"}) {
    const int count = static_cast<int>(std::count_if(calls.begin(), calls.end(),
                                                     [&](const TracedCall& c) { return c.name == syscall; }));
    ASSERT_GT(count, 0) << syscall;
    const SweepStats s = SweepCreation(syscall, {"apply"}, count, step(), apply);
    Report(("apply-creating-journal/" + syscall).c_str(), s);
    EXPECT_GT(s.crashes, 0) << syscall;
  }
}

TEST_F(CrashSweepTest, RerunStepKilledAtEverySyncEndsAsOneRunAndRollsBackToPristine) {
  for (const std::string syscall : {"fdatasync", "fsync"}) {
    const SweepStats s = SweepRerunStep(syscall, step(), budget());
    Report(("rerun-step/" + syscall).c_str(), s);
    EXPECT_GT(s.crashes, 0) << syscall;
  }
}

// kill -9 at a random moment of an apply (bounded count and time), then resume.
TEST(RandomKillTest, KillNineAtRandomMomentsThenResumeMatchesUninterruptedRun) {
  const std::string expected = ReferenceApplied();
  const int rounds = FullSweep() ? 60 : 6;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(FullSweep() ? 1800 : 25);
  std::mt19937 rng(20261124);
  int killed = 0, ran = 0;
  for (int i = 0; i < rounds && std::chrono::steady_clock::now() < deadline; ++i) {
    TempDir dir;
    MiniSite site(dir.path());
    const auto plan = site.WritePlan("full", MiniSite::FullPlan());
    const std::vector<std::string> apply = {"apply", plan.string(), "--env", site.env_path().string()};
    std::vector<std::string> args = {TIDEMARK_BINARY};
    for (const auto& a : WithJournal(site, apply)) args.push_back(a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 400)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    ++ran;
    if (WIFSIGNALED(status)) ++killed;
    const std::string err = DriveToEnd(site, apply);
    EXPECT_EQ(err, "") << "round " << i;
    EXPECT_EQ(site.Fingerprint(), expected) << "round " << i;
    EXPECT_EQ(RunTidemarkProcess(WithJournal(site, {"verify"})).exit_code, 0) << "round " << i;
    site.StopServices();
    if (HasFailure()) break;
  }
  std::printf("[crash-sweep] random kill -9: %d rounds, %d killed mid-run\n", ran, killed);
  EXPECT_GT(ran, 0);
}

}  // namespace
}  // namespace tidemark::faults
