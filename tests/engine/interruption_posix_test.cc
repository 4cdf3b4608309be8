// Interruption tests: the apply (and the rollback) is killed with SIGKILL right
// after each durable journal append in turn (test-only hook
// TIDEMARK_CRASH_AFTER_SYNCS), then `tidemark resume` runs; the targets must end
// exactly as after an uninterrupted run (or pristine, for a rollback).
#include <gtest/gtest.h>

#include <csignal>

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


// An installer that dies with tidemark half-way (here: it kills tidemark after
// changing a file) is never re-run silently; --step-done records what it changed
// (against the scan taken before it started) and the run goes on; rollback
// then restores the file.
TEST(InterruptionTest, InterruptedExecNeedsADecisionAndStepDoneRecordsItsChanges) {
  TempDir dir;
  MiniSite site(dir.path());
  const std::string pristine = site.Fingerprint();
  const auto script = (site.dir() / "hosts/S1/C/DataCenter/DailyMaint.cmd").string();
  const auto plan = site.WritePlan("exec-kill", "name: exec-kill\n"
      "watch:\n  - folder: { host: S1, path: 'C:\\DataCenter' }\n"
      "steps:\n"
      "  - id: setup\n    title: Vendor setup\n    actions:\n"
      "      - exec: { shell: true, command: \"printf 'REM patched\\\\r\\\\n' >> '" + script + "'; kill -9 $PPID; sleep 5\" }\n"
      "  - id: after\n    title: After setup\n    actions:\n"
      "      - registry.set: { host: S1, key: 'HKLM\\SOFTWARE\\Wow6432Node\\Outflow', name: DB_PreferedRegistry, value: S2 }\n");
  CliResult r = RunTidemarkProcess(J(site, {"apply", plan.string(), "--env", site.env_path().string()}));
  ASSERT_EQ(r.signal, SIGKILL) << r.out << r.err;
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

}  // namespace
}  // namespace tidemark
