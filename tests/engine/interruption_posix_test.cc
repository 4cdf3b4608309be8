// Interruption tests: the apply (and the rollback) is killed with SIGKILL right
// after each durable journal append in turn (test-only hook
// TIDEMARK_CRASH_AFTER_SYNCS), then `tidemark resume` runs; the targets must end
// exactly as after an uninterrupted run (or pristine, for a rollback).
#include <gtest/gtest.h>

#include <unistd.h>

#include <csignal>
#include <filesystem>

#include "engine/targets/registry_target.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark {
namespace {

using testing::CliResult;
using testing::MiniSite;
using testing::RunTidemarkProcess;
using testing::TempDir;

std::vector<std::string> J(const MiniSite& site, std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(site.journal().string());
  return args;
}

std::vector<std::string> ApplyArgs(const MiniSite& site) {
  const auto plan = site.WritePlan("full", MiniSite::FullPlan());
  return J(site, {"apply", plan.string(), "--env", site.env_path().string()});
}

// Resumes until the run finishes (a resume may itself be interrupted only by
// the hook, which is not set here, so one call must do).
void ResumeToEnd(const MiniSite& site, int crash_point) {
  CliResult r = RunTidemarkProcess(J(site, {"resume"}));
  ASSERT_EQ(r.exit_code, 0) << "resume after crash at sync " << crash_point << ":\n" << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"verify"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(InterruptionTest, ApplyKilledAfterEachAppendResumesToTheSameEnd) {
  std::string expected;
  {
    TempDir dir;
    MiniSite site(dir.path());
    CliResult r = RunTidemarkProcess(ApplyArgs(site));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    expected = site.Fingerprint();
  }
  int crashes = 0;
  for (int n = 1;; ++n) {
    TempDir dir;
    MiniSite site(dir.path());
    CliResult r = RunTidemarkProcess(ApplyArgs(site), {"TIDEMARK_CRASH_AFTER_SYNCS=" + std::to_string(n)});
    if (r.exit_code == 0) break;  // the run finished before the Nth append: swept them all
    ASSERT_EQ(r.signal, SIGKILL) << "crash point " << n << ": " << r.out << r.err;
    ++crashes;
    ResumeToEnd(site, n);
    ASSERT_EQ(site.Fingerprint(), expected) << "crash after append " << n;
    // Resuming a finished run changes nothing.
    r = RunTidemarkProcess(J(site, {"resume"}));
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("already finished"), std::string::npos) << r.out;
    ASSERT_LT(n, 500) << "the sweep does not end";
  }
  EXPECT_GT(crashes, 20) << "the plan should need many durable appends";
  std::cout << "[ info ] apply interrupted at " << crashes << " append points, each resumed\n";
}

TEST(InterruptionTest, RollbackKilledAfterEachAppendResumesToPristine) {
  int crashes = 0;
  for (int n = 1;; ++n) {
    TempDir dir;
    MiniSite site(dir.path());
    const std::string pristine = site.Fingerprint();
    CliResult r = RunTidemarkProcess(ApplyArgs(site));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    r = RunTidemarkProcess(J(site, {"rollback"}), {"TIDEMARK_CRASH_AFTER_SYNCS=" + std::to_string(n)});
    if (r.exit_code == 0) {
      EXPECT_EQ(site.Fingerprint(), pristine);
      break;
    }
    ASSERT_EQ(r.signal, SIGKILL) << "crash point " << n << ": " << r.out << r.err;
    ++crashes;
    ResumeToEnd(site, n);
    ASSERT_EQ(site.Fingerprint(), pristine) << "rollback crash after append " << n;
    ASSERT_LT(n, 500) << "the sweep does not end";
  }
  EXPECT_GT(crashes, 10);
  std::cout << "[ info ] rollback interrupted at " << crashes << " append points, each resumed\n";
}


// A plan whose one exec runs `command` with the DataCenter folder watched,
// then sets one registry value.
std::filesystem::path ExecPlan(const MiniSite& site, const std::string& name,
                               const std::string& command) {
  return site.WritePlan(name, "name: " + name + "\n"
      "watch:\n  - folder: { host: S1, path: 'C:\\DataCenter' }\n"
      "steps:\n"
      "  - id: setup\n    title: Vendor setup\n    actions:\n"
      "      - exec: { shell: true, command: \"" + command + "\" }\n"
      "  - id: after\n    title: After setup\n    actions:\n"
      "      - registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: DB_PreferedRegistry, value: S2 }\n");
}

std::string DailyMaint(const MiniSite& site) {
  return (site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd").string();
}

// Waits (up to 20 s) until `status` no longer reports a program still running.
// The shell text of an orphan that outlives tidemark until the test lets it
// end (ReleaseOrphan), at most 60 s: not a fixed sleep, which a loaded
// machine can outlast before the test has looked at it.
std::string UntilReleased(const MiniSite& site) {
  const std::string flag = (site.dir() / "release-orphan").string();
  return "i=0; while [ ! -e '" + flag + "' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done";
}

void ReleaseOrphan(const MiniSite& site) { testing::WriteFileBytes(site.dir() / "release-orphan", ""); }

void WaitForOrphanToEnd(const MiniSite& site) {
  ReleaseOrphan(site);
  for (int i = 0; i < 200; ++i) {
    CliResult r = RunTidemarkProcess(J(site, {"status"}));
    if (r.out.find("still running") == std::string::npos) return;
    ::usleep(100 * 1000);
  }
  FAIL() << "the orphaned program never ended";
}

// An installer that dies with tidemark half-way (here: it kills tidemark after
// changing a file, then runs on for a while as an orphan) is noticed while it
// still runs: status names its process and resume refuses (exit 5) until it
// has ended. Then it is never re-run silently; --step-done records what it
// changed (against the scan taken before it started) and the run goes on;
// rollback then restores the file.
TEST(InterruptionTest, InterruptedExecNeedsADecisionAndStepDoneRecordsItsChanges) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto plan = ExecPlan(site, "exec-kill",
      "printf 'REM patched\\\\r\\\\n' >> '" + DailyMaint(site) + "'; kill -9 $PPID; " + UntilReleased(site));
  CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.signal, SIGKILL) << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"status"}));
  EXPECT_NE(r.out.find("interrupted in exec, still running (process "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("wait for it to end"), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"resume", "--rerun-step"}));
  EXPECT_EQ(r.exit_code, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("is still running (process "), std::string::npos) << r.err;
  WaitForOrphanToEnd(site);
  r = RunTidemarkProcess(J(site, {"status"}));
  EXPECT_NE(r.out.find("interrupted in exec"), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"resume"}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("--rerun-step"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--step-done"), std::string::npos) << r.err;
  r = RunTidemarkProcess(J(site, {"resume", "--step-done"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"log", "--kind", "observed", "--json"}));
  EXPECT_NE(r.out.find("DailyMaint.cmd"), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"log", "--kind", "decision", "--json"}));
  EXPECT_NE(r.out.find("\"choice\":\"step-done\""), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
}

// --despite-running is the admin saying so explicitly: resume goes on while
// the orphan still runs.
TEST(InterruptionTest, DespiteRunningResumesWhileTheOrphanRuns) {
  TempDir dir;
  MiniSite site(dir.path());
  const auto plan = ExecPlan(site, "exec-orphan", "kill -9 $PPID; " + UntilReleased(site));
  CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.signal, SIGKILL) << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"resume", "--step-done", "--despite-running"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  WaitForOrphanToEnd(site);
}

// --rerun-step of an installer killed with tidemark: the first attempt changed
// a watched file, the rerun finds nothing left to do. The rerun's observed
// changes are taken against the first attempt's pre-scan, so the change is
// recorded, rollback restores it and nothing drifts.
TEST(InterruptionTest, RerunStepRecordsWhatTheInterruptedAttemptChanged) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const std::string marker = (dir.path() / "first-attempt-ran").string();
  const auto plan = ExecPlan(site, "exec-rerun",
      "if [ -e '" + marker + "' ]; then exit 0; fi; touch '" + marker +
      "'; printf 'REM patched\\\\r\\\\n' >> '" + DailyMaint(site) + "'; kill -9 $PPID");
  CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.signal, SIGKILL) << r.out << r.err;
  WaitForOrphanToEnd(site);
  r = RunTidemarkProcess(J(site, {"resume", "--rerun-step"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("observed"), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"log", "--kind", "observed", "--json"}));
  EXPECT_NE(r.out.find("DailyMaint.cmd"), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"drift"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(site.Fingerprint(), pristine);
  r = RunTidemarkProcess(J(site, {"drift"}));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// Killed at every journal sync of a run whose installer changes a watched
// file and exits 0: where the record holds the program's exit but not its
// observed changes, resume finishes the step by itself (no --rerun-step or
// --step-done asked), and rollback restores the file.
TEST(InterruptionTest, FinishedInstallerKilledBeforeItsChangesAreRecordedResumesByItself) {
  int finished_alone = 0;
  for (int n = 1;; ++n) {
    TempDir dir;
    MiniSite site(dir.path());
    const std::string pristine = site.Fingerprint();
    const auto plan = ExecPlan(site, "exec-done",
        "printf 'REM patched\\\\r\\\\n' >> '" + DailyMaint(site) + "'");
    CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}),
                                     {"TIDEMARK_CRASH_AFTER_SYNCS=" + std::to_string(n)});
    if (r.exit_code == 0) break;
    ASSERT_EQ(r.signal, SIGKILL) << "crash point " << n << ": " << r.out << r.err;
    WaitForOrphanToEnd(site);  // killed right after it started: printf may still be at work
    const CliResult exited = RunTidemarkProcess(J(site, {"log", "--kind", "processExited", "--json"}));
    const CliResult closed = RunTidemarkProcess(J(site, {"log", "--kind", "actionFinished", "--json"}));
    const bool exit_only = exited.out.find("processExited") != std::string::npos &&
                           closed.out.find("actionFinished") == std::string::npos;
    std::vector<std::string> resume = {"resume"};
    if (!exit_only) {
      // Before the exit was recorded the record cannot know: the admin says.
      r = RunTidemarkProcess(J(site, {"status"}));
      if (r.out.find("interrupted in exec") != std::string::npos) resume.push_back("--step-done");
    }
    r = RunTidemarkProcess(J(site, resume));
    ASSERT_EQ(r.exit_code, 0) << "crash point " << n << ":\n" << r.out << r.err;
    if (exit_only) {
      ++finished_alone;
      EXPECT_NE(r.out.find("had ended before the interruption (exit 0)"), std::string::npos) << r.out;
      r = RunTidemarkProcess(J(site, {"log", "--kind", "observed", "--json"}));
      EXPECT_NE(r.out.find("DailyMaint.cmd"), std::string::npos) << r.out;
    }
    r = RunTidemarkProcess(J(site, {"rollback"}));
    ASSERT_EQ(r.exit_code, 0) << "crash point " << n << ":\n" << r.out << r.err;
    ASSERT_EQ(site.Fingerprint(), pristine) << "crash point " << n;
    ASSERT_LT(n, 100) << "the sweep does not end";
  }
  EXPECT_EQ(finished_alone, 1) << "exactly one sync point lies between the exit and the changes";
}

// Killed between the intent and the write, someone else then writes the value:
// resume refuses (exit 3), resume --reapply overwrites it and keeps the value
// it found as the change's before, so history shows it and rollback restores it.
TEST(InterruptionTest, ReapplyKeepsTheValueItOverwroteAsTheChangesBefore) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string key = "HKLM\\SOFTWARE\\Wow6432Node\\Outflow";
  const auto plan = site.WritePlan("one", "name: one\nsteps:\n  - id: s\n    title: T\n    actions:\n"
      "      - registry.set: { host: S1, key: '" + key + "', name: DB_PreferedRegistry, value: S2 }\n");
  const Resource pref = Resource::RegistryValue("S1", key, "DB_PreferedRegistry");
  targets::HiveRegistryTarget reg("S1", site.dir() / "hives/S1.reg");
  bool in_doubt = false;
  for (int n = 1; n <= 6 && !in_doubt; ++n) {
    std::filesystem::remove_all(site.journal());
    CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}),
                                     {"TIDEMARK_CRASH_AFTER_SYNCS=" + std::to_string(n)});
    ASSERT_EQ(r.signal, SIGKILL) << n << ": " << r.out << r.err;
    r = RunTidemarkProcess(J(site, {"status", "--json"}));
    in_doubt = r.out.find("\"in_doubt\":[{") != std::string::npos;
  }
  ASSERT_TRUE(in_doubt) << "no crash point between the intent and its write";
  ASSERT_EQ(reg.Read(pref).value(), Value::RegString("S1"));
  ASSERT_TRUE(reg.Write(pref, Value::RegString("S1"), Value::RegString("SOMEONE")).ok());
  CliResult r = RunTidemarkProcess(J(site, {"resume"}));
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  r = RunTidemarkProcess(J(site, {"resume", "--reapply"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(reg.Read(pref).value(), Value::RegString("S2"));
  r = RunTidemarkProcess(J(site, {"history", "S1 " + key + "\\DB_PreferedRegistry"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"SOMEONE\""), std::string::npos) << r.out;
  r = RunTidemarkProcess(J(site, {"rollback"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(reg.Read(pref).value(), Value::RegString("SOMEONE"));
}

}  // namespace
}  // namespace tidemark
