// The process runner against real programs: exit codes and signals, output
// capture, tail and log, argv vs shell, start failures, timeouts and stop
// requests that end the whole process tree, live lines, no leaked descriptors.
#include "engine/process/process_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "engine/process/interrupt.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::process {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;
using Clock = std::chrono::steady_clock;

RunOptions Capturing() {
  RunOptions o;
  o.capture = true;
  return o;
}

// Alive = exists and is not a zombie (an orphan's zombie waits for init).
bool Alive(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return false;
  return text[paren + 2] != 'Z' && text[paren + 2] != 'X';
}

pid_t ReadPid(const fs::path& file) {
  for (int i = 0; i < 100 && ReadFileBytes(file).empty(); ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  return static_cast<pid_t>(std::stol(ReadFileBytes(file)));
}

TEST(ProcessRunnerTest, ReportsExitCodesAndSignals) {
  auto r = process::Run(Command::Argv({"sh", "-c", "exit 3"}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(), "exited with code 3");
  r = process::Run(Command::Shell("true"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
  r = process::Run(Command::Shell("kill -9 $$"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_EQ(r->exit_code, 128 + SIGKILL);
  EXPECT_EQ(r->Describe(), "killed by signal 9");
}

TEST(ProcessRunnerTest, CapturesStdoutAndStderrAndKeepsTheTail) {
  RunOptions o = Capturing();
  o.tail_lines = 3;
  auto r = process::Run(Command::Shell("echo out; echo err >&2; for i in 1 2 3 4 5; do echo line$i; done"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, "out\nerr\nline1\nline2\nline3\nline4\nline5\n");
  EXPECT_EQ(r->tail, "line3\nline4\nline5\n");
}

TEST(ProcessRunnerTest, AppendsOutputToTheLogFile) {
  TempDir dir;
  RunOptions o;
  o.log_file = dir / "logs" / "step.log";
  ASSERT_TRUE(process::Run(Command::Shell("echo first"), o).ok());
  auto r = process::Run(Command::Shell("echo second; echo oops >&2; exit 1"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadFileBytes(o.log_file), "first\nsecond\noops\n");
  EXPECT_EQ(r->output, "");  // not captured
  EXPECT_EQ(r->tail, "second\noops\n");
}

TEST(ProcessRunnerTest, ArgvIsPassedVerbatimWhileTheShellInterprets) {
  auto argv = process::Run(Command::Argv({"printf", "%s|", "a b", "$(echo no)", "'; --", "*"}), Capturing());
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(argv->output, "a b|$(echo no)|'; --|*|");
  auto shell = process::Run(Command::Shell("printf '%s|' \"$(echo yes)\" a\\ b"), Capturing());
  ASSERT_TRUE(shell.ok());
  EXPECT_EQ(shell->output, "yes|a b|");
}

TEST(ProcessRunnerTest, MissingProgramIsIoErrorNamingIt) {
  for (const std::string name : {"/nonexistent/program", "tidemark-no-such-program"}) {
    auto r = process::Run(Command::Argv({name, "x"}));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_TRUE(r.status().Is(StatusCode::kIoError)) << r.status().ToString();
    EXPECT_NE(r.status().message().find("cannot run " + name), std::string::npos)
        << r.status().ToString();
  }
  TempDir dir;
  WriteFileBytes(dir / "not-executable", "#!/bin/sh\n");
  auto r = process::Run(Command::Argv({(dir / "not-executable").string()}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("Permission denied"), std::string::npos) << r.status().ToString();
  EXPECT_TRUE(process::Run(Command::Argv({})).status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(process::Run(Command::Shell("")).status().Is(StatusCode::kInvalidInput));
}

TEST(ProcessRunnerTest, RunsInTheWorkingDirectoryWithTheAddedEnvironment) {
  TempDir dir;
  RunOptions o = Capturing();
  o.working_dir = dir.path();
  o.env = {{"TIDEMARK_TEST_VAR", "xyz"}, {"HOME", "/nowhere"}};
  auto r = process::Run(Command::Shell("pwd; echo $TIDEMARK_TEST_VAR $HOME"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, fs::canonical(dir.path()).string() + "\nxyz /nowhere\n");
  o.working_dir = dir / "missing";
  auto bad = process::Run(Command::Argv({"true"}), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(StatusCode::kIoError));
  EXPECT_NE(bad.status().message().find("working directory"), std::string::npos);
}

TEST(ProcessRunnerTest, StdinIsTheNullDeviceOrTheGivenFile) {
  auto r = process::Run(Command::Argv({"cat"}), Capturing());  // would hang if stdin were ours
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "");
  TempDir dir;
  WriteFileBytes(dir / "in.bin", std::string("a\0b\n", 4));
  RunOptions o = Capturing();
  o.stdin_file = dir / "in.bin";
  o.stdout_file = dir / "out.bin";
  r = process::Run(Command::Shell("cat; echo to-stderr >&2"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFileBytes(dir / "out.bin"), std::string("a\0b\n", 4));
  EXPECT_EQ(r->output, "to-stderr\n");  // stderr only when stdout has its own file
  auto again = process::Run(Command::Argv({"true"}), o);  // never overwrites a file
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("out.bin"), std::string::npos);
  o.stdout_file = dir / "unused.bin";
  EXPECT_FALSE(process::Run(Command::Argv({"/nonexistent/program"}), o).ok());
  EXPECT_FALSE(fs::exists(dir / "unused.bin")) << "a failed start leaves no output file";
}

TEST(ProcessRunnerTest, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  const fs::path pid_file = dir / "grandchild.pid";
  RunOptions o = Capturing();
  o.timeout = milliseconds(300);
  o.kill_grace = milliseconds(2000);
  const auto start = Clock::now();
  auto r = process::Run(Command::Shell("echo started; sleep 30 & echo $! > '" + pid_file.string() +
                              "'; sleep 30"),
               o);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(), "timed out after 300 ms (killed)");
  EXPECT_EQ(r->output, "started\n");
  EXPECT_LT(took, std::chrono::seconds(5));
  const pid_t grandchild = ReadPid(pid_file);
  for (int i = 0; i < 50 && Alive(grandchild); ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(Alive(grandchild)) << "the background sleep survived the timeout";
}

TEST(ProcessRunnerTest, ATreeIgnoringSigtermIsKilledAfterTheGracePeriod) {
  TempDir dir;
  const fs::path pid_file = dir / "grandchild.pid";
  RunOptions o;
  o.timeout = milliseconds(200);
  o.kill_grace = milliseconds(700);
  const auto start = Clock::now();
  auto r = process::Run(Command::Shell("trap '' TERM; sleep 30 & echo $! > '" + pid_file.string() +
                              "'; sleep 30"),
               o);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->signal, SIGKILL);
  EXPECT_GE(took, milliseconds(850));
  EXPECT_LT(took, std::chrono::seconds(5));
  const pid_t grandchild = ReadPid(pid_file);
  for (int i = 0; i < 50 && Alive(grandchild); ++i) std::this_thread::sleep_for(milliseconds(20));
  EXPECT_FALSE(Alive(grandchild));
}

TEST(ProcessRunnerTest, AStopRequestEndsTheRunUnlessTheCallerOptsOut) {
  ClearStopRequest();
  std::thread stopper([] {
    std::this_thread::sleep_for(milliseconds(200));
    RequestStop();
  });
  RunOptions o;
  o.kill_grace = milliseconds(1000);
  const auto start = Clock::now();
  auto r = process::Run(Command::Shell("sleep 30"), o);
  stopper.join();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->interrupted);
  EXPECT_FALSE(r->timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  o.stop_on_interrupt = false;  // still requested: this run goes to its end
  r = process::Run(Command::Shell("sleep 0.2; exit 4"), o);
  ClearStopRequest();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->interrupted);
  EXPECT_EQ(r->exit_code, 4);
}

TEST(ProcessRunnerTest, TheLineCallbackSeesEachLineAsItIsWritten) {
  std::vector<std::pair<std::string, Clock::time_point>> seen;
  RunOptions o;
  o.on_line = [&](std::string_view line) { seen.emplace_back(std::string(line), Clock::now()); };
  auto r = process::Run(Command::Shell("echo first; sleep 0.4; printf 'second\\r\\nlast'"), o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, "first");
  EXPECT_EQ(seen[1].first, "second");
  EXPECT_EQ(seen[2].first, "last");
  EXPECT_GE(seen[1].second - seen[0].second, milliseconds(300)) << "the first line was not live";
}

TEST(ProcessRunnerTest, TheChildInheritsNoDescriptorOfOurs) {
  const int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(leaked, 3);
  // ls (a child of the shell, so its own directory handle is not listed)
  // lists the shell's descriptors.
  auto r = process::Run(Command::Shell("ls /proc/$$/fd; true"), Capturing());
  ::close(leaked);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "0\n1\n2\n");
}

TEST(ProcessRunnerTest, ABackgroundChildHoldingThePipeDoesNotHoldTheRun) {
  const auto start = Clock::now();
  auto r = process::Run(Command::Shell("sleep 3 & echo done"), Capturing());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output, "done\n");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(ProcessRunnerTest, StartDetachedLeavesALongLivedProcessInItsOwnSession) {
  TempDir dir;
  DetachedOptions o;
  o.working_dir = dir.path();
  o.log_file = dir / "service.log";
  auto pid = StartDetached(Command::Argv({"/bin/sh", "-c", "pwd; echo hello; exec sleep 30"}), o);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  const pid_t p = static_cast<pid_t>(*pid);
  EXPECT_EQ(::getsid(p), p);
  EXPECT_EQ(::getpgid(p), p);
  int status = 0;
  EXPECT_EQ(::waitpid(p, &status, WNOHANG), -1) << "the service must not be our child";
  for (int i = 0; i < 100 && ReadFileBytes(o.log_file).find("hello") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(ReadFileBytes(o.log_file), fs::canonical(dir.path()).string() + "\nhello\n");
  ::kill(-p, SIGKILL);
  auto missing = StartDetached(Command::Argv({"/no/such/program"}), o);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("cannot run /no/such/program"), std::string::npos);
}

}  // namespace
}  // namespace tidemark::process
