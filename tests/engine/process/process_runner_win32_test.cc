// The Windows process runner against real programs under Wine's (or
// Windows') own kernel: cmd.exe for shell lines, and this test executable
// itself as the child programs (a helper mode chosen by an environment
// variable, run before any test): exit codes, capture, verbatim arguments,
// redirections, timeouts and stop requests that end the whole job, live lines,
// and a detached process outside the job.
#include <windows.h>
// (windows.h first: shellapi.h needs it)

#include <gtest/gtest.h>
#include <shellapi.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/process/interrupt.h"
#include "engine/process/process_runner.h"
#include "store/win32_text.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::process {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::ReadFileBytes;
using testing::TempDir;
using testing::WriteFileBytes;
using Clock = std::chrono::steady_clock;

constexpr wchar_t kHelperVar[] = L"TIDEMARK_RUNNER_HELPER";
constexpr wchar_t kPidFileVar[] = L"TIDEMARK_RUNNER_PIDFILE";

std::wstring EnvW(const wchar_t* name) {
  wchar_t buffer[1024];
  const DWORD n = GetEnvironmentVariableW(name, buffer, 1024);
  return n == 0 || n >= 1024 ? std::wstring() : std::wstring(buffer, n);
}

std::string SelfPath() {
  wchar_t buffer[4096];
  const DWORD n = GetModuleFileNameW(nullptr, buffer, 4096);
  return WideToUtf8(std::wstring_view(buffer, n));
}

void Out(const std::string& text) {
  DWORD n = 0;
  WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
}

// Starts this executable in helper `mode` (inside our job, if any) and writes
// its process id to the pid file. `inherit`: it holds our standard handles.
void StartSelf(const wchar_t* mode, bool inherit) {
  SetEnvironmentVariableW(kHelperVar, mode);
  std::wstring line = L"\"" + Utf8ToWide(SelfPath()) + L"\"";
  STARTUPINFOW si{};
  si.cb = sizeof(si);
  PROCESS_INFORMATION pi{};
  if (!CreateProcessW(nullptr, line.data(), nullptr, nullptr, inherit ? TRUE : FALSE, 0, nullptr,
                      nullptr, &si, &pi)) {
    ExitProcess(90);
  }
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  const std::string pid = std::to_string(pi.dwProcessId);
  HANDLE f = CreateFileW(EnvW(kPidFileVar).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  DWORD n = 0;
  WriteFile(f, pid.data(), static_cast<DWORD>(pid.size()), &n, nullptr);
  CloseHandle(f);
}

// The child programs of the tests below.
int Helper(const std::wstring& mode) {
  if (mode == L"sleep") {
    Sleep(30000);
  } else if (mode == L"tree") {  // a grandchild not holding the pipe, then wait
    StartSelf(L"sleep", false);
    Out("started\n");
    Sleep(30000);
  } else if (mode == L"background") {  // a grandchild holding the pipe, then exit
    StartSelf(L"sleep", true);
    Out("done\n");
  } else if (mode == L"args") {  // each argument after argv[0], then '|'
    int argc = 0;
    wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
    for (int i = 1; i < argc; ++i) Out(WideToUtf8(argv[i]) + "|");
  } else if (mode == L"cat") {  // stdin to stdout, then a line to stderr
    char buffer[4096];
    DWORD n = 0, written = 0;
    while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buffer, sizeof(buffer), &n, nullptr) && n > 0) {
      WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), buffer, n, &written, nullptr);
    }
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), "to-stderr\n", 10, &written, nullptr);
  } else if (mode == L"lines") {
    Out("first\n");
    Sleep(400);
    Out("second\r\nlast");
  } else {
    return 91;
  }
  return 0;
}

// Runs before main (and before any test) when this executable is a helper.
[[maybe_unused]] const bool kIsHelper = [] {
  const std::wstring mode = EnvW(kHelperVar);
  if (mode.empty()) return false;
  ExitProcess(static_cast<UINT>(Helper(mode)));
}();

// This executable with `args`; the helper mode comes from As() below.
Command Self(std::vector<std::string> args = {}) {
  args.insert(args.begin(), SelfPath());
  return Command::Argv(std::move(args));
}

RunOptions As(const std::string& mode, const fs::path& pid_file = {}) {
  RunOptions o;
  o.capture = true;
  o.env = {{"TIDEMARK_RUNNER_HELPER", mode}};
  if (!pid_file.empty()) o.env.emplace_back("TIDEMARK_RUNNER_PIDFILE", pid_file.string());
  return o;
}

bool Alive(DWORD pid) {
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, pid);
  if (h == nullptr) return false;
  const bool alive = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  CloseHandle(h);
  return alive;
}

DWORD ReadPid(const fs::path& file) {
  for (int i = 0; i < 200 && ReadFileBytes(file).empty(); ++i) std::this_thread::sleep_for(milliseconds(10));
  return static_cast<DWORD>(std::stoul(ReadFileBytes(file)));
}

bool GoneSoon(DWORD pid) {
  for (int i = 0; i < 100 && Alive(pid); ++i) std::this_thread::sleep_for(milliseconds(20));
  return !Alive(pid);
}

void Kill(DWORD pid) {
  HANDLE h = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, pid);
  if (h == nullptr) return;
  TerminateProcess(h, 1);
  WaitForSingleObject(h, 5000);
  CloseHandle(h);
}

TEST(ProcessRunnerWin32Test, ReportsExitCodes) {
  auto r = process::Run(Command::Shell("exit 3"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(), "exited with code 3");
  r = process::Run(Command::Shell("exit 0"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->ok());
}

TEST(ProcessRunnerWin32Test, CapturesStdoutAndStderrAndKeepsTheTail) {
  RunOptions o;
  o.capture = true;
  o.tail_lines = 2;
  auto r = process::Run(Command::Shell("echo out&& echo err 1>&2&& echo last"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, "out\r\nerr \r\nlast\r\n");
  EXPECT_EQ(r->tail, "err \nlast\n");
}

TEST(ProcessRunnerWin32Test, ArgumentsReachTheProgramVerbatim) {
  const std::vector<std::string> args = {"a b", "say \"hi\"", "C:\\dir with space\\", "%PATH%",
                                         "caf\xc3\xa9 \xe6\x97\xa5", "", "*"};
  auto r = process::Run(Self(args), As("args"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  std::string expected;
  for (const auto& a : args) expected += a + "|";
  EXPECT_EQ(r->output, expected);
}

TEST(ProcessRunnerWin32Test, MissingProgramIsIoErrorNamingIt) {
  for (const std::string name : {"C:\\nonexistent\\program.exe", "tidemark-no-such-program"}) {
    auto r = process::Run(Command::Argv({name, "x"}));
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_TRUE(r.status().Is(StatusCode::kIoError)) << r.status().ToString();
    EXPECT_NE(r.status().message().find("cannot run " + name), std::string::npos)
        << r.status().ToString();
  }
  EXPECT_TRUE(process::Run(Command::Argv({})).status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(process::Run(Command::Shell("")).status().Is(StatusCode::kInvalidInput));
}

TEST(ProcessRunnerWin32Test, RunsInTheWorkingDirectoryWithTheAddedEnvironment) {
  TempDir dir;
  RunOptions o;
  o.capture = true;
  o.working_dir = dir.path();
  o.env = {{"TIDEMARK_TEST_VAR", "xyz"}};
  auto r = process::Run(Command::Shell("cd&& echo %TIDEMARK_TEST_VAR%"), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, dir.path().string() + "\r\nxyz\r\n");
  o.working_dir = dir / "missing";
  auto bad = process::Run(Command::Shell("exit 0"), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().Is(StatusCode::kIoError));
  EXPECT_NE(bad.status().message().find("working directory"), std::string::npos)
      << bad.status().ToString();
}

TEST(ProcessRunnerWin32Test, StdinIsTheNullDeviceOrTheGivenFile) {
  auto r = process::Run(Self(), As("cat"));  // would hang if stdin were ours
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, "to-stderr\n");
  TempDir dir;
  WriteFileBytes(dir / "in.bin", std::string("a\0b\r\n", 5));
  RunOptions o = As("cat");
  o.stdin_file = dir / "in.bin";
  o.stdout_file = dir / "out.bin";
  r = process::Run(Self(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(ReadFileBytes(dir / "out.bin"), std::string("a\0b\r\n", 5));
  EXPECT_EQ(r->output, "to-stderr\n");  // stderr only when stdout has its own file
  auto again = process::Run(Self(), o);  // never overwrites a file
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("out.bin"), std::string::npos) << again.status().ToString();
  o.stdout_file = dir / "unused.bin";
  EXPECT_FALSE(process::Run(Command::Argv({"C:\\nonexistent\\program.exe"}), o).ok());
  EXPECT_FALSE(fs::exists(dir / "unused.bin")) << "a failed start leaves no output file";
}

TEST(ProcessRunnerWin32Test, TimeoutEndsTheWholeJob) {
  TempDir dir;
  RunOptions o = As("tree", dir / "grandchild.pid");
  o.timeout = milliseconds(300);
  o.kill_grace = milliseconds(1000);
  const auto start = Clock::now();
  auto r = process::Run(Self(), o);
  const auto took = Clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->Describe(), "timed out after 300 ms (killed)");
  EXPECT_EQ(r->output, "started\n");
  EXPECT_LT(took, std::chrono::seconds(5));
  const DWORD grandchild = ReadPid(dir / "grandchild.pid");
  EXPECT_TRUE(GoneSoon(grandchild)) << "the grandchild survived the timeout";
  Kill(grandchild);
}

TEST(ProcessRunnerWin32Test, AStopRequestEndsTheRunUnlessTheCallerOptsOut) {
  ClearStopRequest();
  std::thread stopper([] {
    std::this_thread::sleep_for(milliseconds(200));
    RequestStop();
  });
  RunOptions o = As("sleep");
  o.kill_grace = milliseconds(1000);
  const auto start = Clock::now();
  auto r = process::Run(Self(), o);
  stopper.join();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->interrupted);
  EXPECT_FALSE(r->timed_out);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  o.stop_on_interrupt = false;  // still requested: this run goes to its end
  r = process::Run(Command::Shell("exit 4"), o);
  ClearStopRequest();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->interrupted);
  EXPECT_EQ(r->exit_code, 4);
}

TEST(ProcessRunnerWin32Test, TheLineCallbackSeesEachLineAsItIsWritten) {
  std::vector<std::pair<std::string, Clock::time_point>> seen;
  RunOptions o = As("lines");
  o.on_line = [&](std::string_view line) { seen.emplace_back(std::string(line), Clock::now()); };
  auto r = process::Run(Self(), o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].first, "first");
  EXPECT_EQ(seen[1].first, "second");
  EXPECT_EQ(seen[2].first, "last");
  EXPECT_GE(seen[1].second - seen[0].second, milliseconds(300)) << "the first line was not live";
}

TEST(ProcessRunnerWin32Test, ABackgroundChildHoldingThePipeDoesNotHoldTheRun) {
  TempDir dir;
  const auto start = Clock::now();
  auto r = process::Run(Self(), As("background", dir / "child.pid"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->output, "done\n");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  const DWORD child = ReadPid(dir / "child.pid");
  EXPECT_TRUE(Alive(child)) << "a normal exit leaves what the program started running";
  Kill(child);
}

TEST(ProcessRunnerWin32Test, StartDetachedOutlivesTheRunnerAndLogs) {
  TempDir dir;
  SetEnvironmentVariableW(kHelperVar, L"lines");  // inherited by the detached process
  DetachedOptions o;
  o.working_dir = dir.path();
  o.log_file = dir / "service.log";
  auto pid = StartDetached(Self(), o);
  SetEnvironmentVariableW(kHelperVar, nullptr);
  ASSERT_TRUE(pid.ok()) << pid.status().ToString();
  for (int i = 0; i < 200 && ReadFileBytes(o.log_file).find("last") == std::string::npos; ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(ReadFileBytes(o.log_file), "first\nsecond\r\nlast");
  EXPECT_TRUE(GoneSoon(static_cast<DWORD>(*pid)));
}

}  // namespace
}  // namespace tidemark::process
