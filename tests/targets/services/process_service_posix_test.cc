// ProcessServiceBackend with real processes (/bin/sh loops) in a temp folder:
// start/stop/pause, SIGKILL escalation, start types, stale pid files.
#include "engine/targets/process_service.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using tidemark::testing::ReadFileBytes;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

// Exits on SIGTERM (the trap runs once the group's `sleep` dies too).
constexpr char kGraceful[] = "trap 'exit 0' TERM; while :; do sleep 0.05; done";
// Ignores SIGTERM (children inherit the ignored disposition).
constexpr char kStubborn[] = "trap '' TERM; while :; do sleep 0.05; done";

// /proc state of a pid, or 0 when it no longer exists.
char ProcState(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}
bool Gone(pid_t pid) {
  const char s = ProcState(pid);
  return s == 0 || s == 'Z';
}

class ProcessServiceTest : public ::testing::Test {
 protected:
  ProcessServiceTest() : backend_(tmp_.path()) {}
  ~ProcessServiceTest() override {
    // Never leave processes behind, whatever the test did.
    auto names = backend_.List();
    if (!names.ok()) return;
    for (const std::string& n : *names) {
      auto pid = backend_.Pid(n);
      if (pid.ok() && pid->has_value()) ::kill(-**pid, SIGKILL);
    }
  }
  void Define(const std::string& name, const std::string& script,
              const std::string& extra = "start=manual\n") {
    WriteFileBytes(tmp_ / (name + ".service"),
                   "# test service\nexec=/bin/sh\narg=-c\narg=" + script + "\n" + extra);
  }
  Value Read(const std::string& name) {
    auto v = backend_.Read(name);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value::Absent();
  }
  pid_t PidOf(const std::string& name) {
    auto pid = backend_.Pid(name);
    EXPECT_TRUE(pid.ok()) << pid.status().ToString();
    return pid.ok() && pid->has_value() ? **pid : 0;
  }

  TempDir tmp_;
  ProcessServiceBackend backend_;
};

TEST_F(ProcessServiceTest, StartPauseResumeStopRealProcess) {
  Define("DCAgent", kGraceful);
  EXPECT_EQ(Read("DCAgent"), Value::Service(ServiceRun::kStopped, StartType::kManual));

  Status s = backend_.SetRun("DCAgent", ServiceRun::kRunning, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("DCAgent"), Value::Service(ServiceRun::kRunning, StartType::kManual));
  const pid_t pid = PidOf("DCAgent");
  ASSERT_GT(pid, 0);
  EXPECT_FALSE(Gone(pid));
  EXPECT_EQ(::getsid(pid), pid);  // detached into its own session and group
  EXPECT_EQ(::getpgid(pid), pid);
  EXPECT_NE(::getsid(0), pid);
  EXPECT_TRUE(fs::exists(tmp_ / "DCAgent.pid"));
  // Starting again is a no-op: same process.
  ASSERT_TRUE(backend_.SetRun("DCAgent", ServiceRun::kRunning, milliseconds(5000)).ok());
  EXPECT_EQ(PidOf("DCAgent"), pid);

  s = backend_.SetRun("DCAgent", ServiceRun::kPaused, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ProcState(pid), 'T');
  EXPECT_EQ(Read("DCAgent").run, ServiceRun::kPaused);

  s = backend_.SetRun("DCAgent", ServiceRun::kRunning, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_NE(ProcState(pid), 'T');
  EXPECT_EQ(Read("DCAgent").run, ServiceRun::kRunning);
  EXPECT_EQ(PidOf("DCAgent"), pid);

  s = backend_.SetRun("DCAgent", ServiceRun::kStopped, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(Gone(pid));
  EXPECT_FALSE(fs::exists(tmp_ / "DCAgent.pid"));
  EXPECT_EQ(Read("DCAgent"), Value::Service(ServiceRun::kStopped, StartType::kManual));
}

TEST_F(ProcessServiceTest, StopsPausedProcess) {
  Define("Paused", kGraceful);
  ASSERT_TRUE(backend_.SetRun("Paused", ServiceRun::kPaused, milliseconds(5000)).ok());
  const pid_t pid = PidOf("Paused");
  ASSERT_GT(pid, 0);
  EXPECT_EQ(ProcState(pid), 'T');
  const auto t0 = std::chrono::steady_clock::now();
  Status s = backend_.SetRun("Paused", ServiceRun::kStopped, milliseconds(5000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, milliseconds(3000));  // no SIGKILL wait
  EXPECT_TRUE(Gone(pid));
}

TEST_F(ProcessServiceTest, StopEscalatesToSigkillAfterGrace) {
  Define("Stubborn", kStubborn, "stop_timeout_ms=300\n");
  ASSERT_TRUE(backend_.SetRun("Stubborn", ServiceRun::kRunning, milliseconds(5000)).ok());
  const pid_t pid = PidOf("Stubborn");
  ASSERT_GT(pid, 0);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = backend_.SetRun("Stubborn", ServiceRun::kStopped, milliseconds(20000));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(took, milliseconds(300));   // SIGTERM was given its grace period
  EXPECT_LT(took, milliseconds(5000));  // stop_timeout_ms wins over the call's timeout
  EXPECT_TRUE(Gone(pid));
  EXPECT_EQ(Read("Stubborn").run, ServiceRun::kStopped);
}

TEST_F(ProcessServiceTest, StopUsesCallTimeoutWithoutStopTimeoutLine) {
  Define("Stubborn2", kStubborn);
  ASSERT_TRUE(backend_.SetRun("Stubborn2", ServiceRun::kRunning, milliseconds(5000)).ok());
  const pid_t pid = PidOf("Stubborn2");
  const auto t0 = std::chrono::steady_clock::now();
  Status s = backend_.SetRun("Stubborn2", ServiceRun::kStopped, milliseconds(200));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(200));
  EXPECT_TRUE(Gone(pid));
}

TEST_F(ProcessServiceTest, NamesAreCaseInsensitiveAndKeepFileSpelling) {
  Define("DCTomcat", kGraceful);
  EXPECT_EQ(Read("dctomcat"), Value::Service(ServiceRun::kStopped, StartType::kManual));
  ASSERT_TRUE(backend_.SetRun("DCTOMCAT", ServiceRun::kRunning, milliseconds(5000)).ok());
  EXPECT_TRUE(fs::exists(tmp_ / "DCTomcat.pid"));
  EXPECT_EQ(Read("dcTomCat").run, ServiceRun::kRunning);
  ASSERT_TRUE(backend_.SetRun("dctomcat", ServiceRun::kStopped, milliseconds(5000)).ok());
  EXPECT_FALSE(fs::exists(tmp_ / "DCTomcat.pid"));
}

TEST_F(ProcessServiceTest, StartTypeChangeRewritesOnlyTheStartLine) {
  WriteFileBytes(tmp_ / "W3SVC.service",
                 "# World Wide Web Publishing\r\nexec=/bin/sleep\r\narg=30\r\n"
                 "start=auto\r\nstop_timeout_ms=1000\r\n");
  EXPECT_EQ(Read("W3SVC").start, StartType::kAuto);
  ASSERT_TRUE(backend_.SetStartType("w3svc", StartType::kDisabled).ok());
  EXPECT_EQ(ReadFileBytes(tmp_ / "W3SVC.service"),
            "# World Wide Web Publishing\r\nexec=/bin/sleep\r\narg=30\r\n"
            "start=disabled\r\nstop_timeout_ms=1000\r\n");
  EXPECT_EQ(Read("W3SVC"), Value::Service(ServiceRun::kStopped, StartType::kDisabled));

  // No start= line yet: one is appended.
  WriteFileBytes(tmp_ / "Agent.service", "exec=/bin/sleep\narg=30");
  EXPECT_EQ(Read("Agent").start, StartType::kManual);  // the default
  ASSERT_TRUE(backend_.SetStartType("Agent", StartType::kAuto).ok());
  EXPECT_EQ(ReadFileBytes(tmp_ / "Agent.service"), "exec=/bin/sleep\narg=30\nstart=auto\n");
  EXPECT_EQ(Read("Agent").start, StartType::kAuto);

  // No temp files are left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(tmp_.path())) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"Agent.service", "W3SVC.service"}));
  EXPECT_TRUE(backend_.SetStartType("Agent", StartType::kUnknown).Is(StatusCode::kInvalidInput));
}

TEST_F(ProcessServiceTest, DisabledServiceRefusesToStart) {
  Define("Iisadmin", kGraceful, "start=disabled\n");
  Status s = backend_.SetRun("Iisadmin", ServiceRun::kRunning, milliseconds(5000));
  ASSERT_TRUE(s.Is(StatusCode::kInvalidInput)) << s.ToString();
  EXPECT_NE(s.message().find("service Iisadmin is disabled"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(tmp_ / "Iisadmin.pid"));
  EXPECT_EQ(Read("Iisadmin").run, ServiceRun::kStopped);
  // Re-enabled, it starts.
  ASSERT_TRUE(backend_.SetStartType("Iisadmin", StartType::kManual).ok());
  ASSERT_TRUE(backend_.SetRun("Iisadmin", ServiceRun::kRunning, milliseconds(5000)).ok());
  EXPECT_EQ(Read("Iisadmin").run, ServiceRun::kRunning);
}

TEST_F(ProcessServiceTest, RecycledOrDeadPidIsStopped) {
  Define("Stale", kGraceful);
  // A live pid (this test process) with a start time that is not its own.
  WriteFileBytes(tmp_ / "Stale.pid", std::to_string(::getpid()) + " 1\n");
  EXPECT_EQ(Read("Stale").run, ServiceRun::kStopped);
  auto pid = backend_.Pid("Stale");
  ASSERT_TRUE(pid.ok());
  EXPECT_FALSE(pid->has_value());

  // A pid that has exited and was reaped.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int wstatus = 0;
  ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
  WriteFileBytes(tmp_ / "Stale.pid", std::to_string(child) + " 12345\n");
  EXPECT_EQ(Read("Stale").run, ServiceRun::kStopped);

  // Garbage.
  WriteFileBytes(tmp_ / "Stale.pid", "not a pid\n");
  EXPECT_EQ(Read("Stale").run, ServiceRun::kStopped);

  // Stopping clears the stale file; starting works and replaces it.
  ASSERT_TRUE(backend_.SetRun("Stale", ServiceRun::kStopped, milliseconds(1000)).ok());
  EXPECT_FALSE(fs::exists(tmp_ / "Stale.pid"));
  WriteFileBytes(tmp_ / "Stale.pid", std::to_string(::getpid()) + " 1\n");
  ASSERT_TRUE(backend_.SetRun("Stale", ServiceRun::kRunning, milliseconds(5000)).ok());
  const pid_t started = PidOf("Stale");
  EXPECT_NE(started, ::getpid());
  EXPECT_NE(ReadFileBytes(tmp_ / "Stale.pid").find(std::to_string(started) + " "),
            std::string::npos);
}

TEST_F(ProcessServiceTest, ProcessKilledBehindOurBackIsStopped) {
  Define("Crashy", kGraceful);
  ASSERT_TRUE(backend_.SetRun("Crashy", ServiceRun::kRunning, milliseconds(5000)).ok());
  const pid_t pid = PidOf("Crashy");
  ASSERT_GT(pid, 0);
  ::kill(-pid, SIGKILL);
  for (int i = 0; i < 200 && !Gone(pid); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(Read("Crashy").run, ServiceRun::kStopped);  // zombie or reaped: not running
}

TEST_F(ProcessServiceTest, UnknownServiceIsAbsentOrNotFound) {
  auto v = backend_.Read("NoSuchService");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->absent());
  EXPECT_TRUE(backend_.SetRun("NoSuchService", ServiceRun::kRunning, milliseconds(100))
                  .Is(StatusCode::kNotFound));
  EXPECT_TRUE(backend_.SetStartType("NoSuchService", StartType::kAuto).Is(StatusCode::kNotFound));
  EXPECT_TRUE(backend_.Pid("NoSuchService").status().Is(StatusCode::kNotFound));
  EXPECT_TRUE(backend_.Read("../escape").status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(backend_.Read("").status().Is(StatusCode::kInvalidInput));
}

TEST_F(ProcessServiceTest, MalformedDefinitionNamesFileAndLine) {
  WriteFileBytes(tmp_ / "Bad.service", "exec=/bin/sleep\nstart=sometimes\n");
  auto v = backend_.Read("Bad");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().Is(StatusCode::kInvalidInput));
  EXPECT_NE(v.status().message().find("Bad.service:2:"), std::string::npos)
      << v.status().message();

  WriteFileBytes(tmp_ / "Bad.service", "exec=sleep\n");
  EXPECT_NE(backend_.Read("Bad").status().message().find("Bad.service:1: exec must be an absolute path"),
            std::string::npos);
  WriteFileBytes(tmp_ / "Bad.service", "exec=/bin/sleep\ncolour=blue\n");
  EXPECT_NE(backend_.Read("Bad").status().message().find("unknown key 'colour'"),
            std::string::npos);
  WriteFileBytes(tmp_ / "Bad.service", "arg=1\n");
  EXPECT_NE(backend_.Read("Bad").status().message().find("no exec= line"), std::string::npos);
  WriteFileBytes(tmp_ / "Bad.service", "exec=/bin/sleep\nstop_timeout_ms=-5\n");
  EXPECT_TRUE(backend_.Read("Bad").status().Is(StatusCode::kInvalidInput));
}

TEST_F(ProcessServiceTest, StartFailuresAreReportedAndLeaveNoPidFile) {
  WriteFileBytes(tmp_ / "Missing.service", "exec=/no/such/program\n");
  Status s = backend_.SetRun("Missing", ServiceRun::kRunning, milliseconds(5000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("cannot run /no/such/program"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(tmp_ / "Missing.pid"));

  WriteFileBytes(tmp_ / "Quits.service", "exec=/bin/sh\narg=-c\narg=echo bye; exit 3\n");
  s = backend_.SetRun("Quits", ServiceRun::kRunning, milliseconds(5000));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited right after starting"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(tmp_ / "Quits.pid"));
  EXPECT_EQ(ReadFileBytes(tmp_ / "Quits.log"), "bye\n");  // output goes to the log
  EXPECT_EQ(Read("Quits").run, ServiceRun::kStopped);
}

TEST_F(ProcessServiceTest, ArgumentsArePassedExactlyAndListIsSorted) {
  Define("Echo", "echo \"[$1][$2]\"; exec sleep 30", "arg=zero\narg=a  b\narg=\n");
  ASSERT_TRUE(backend_.SetRun("Echo", ServiceRun::kRunning, milliseconds(5000)).ok());
  EXPECT_EQ(ReadFileBytes(tmp_ / "Echo.log"), "[a  b][]\n");
  Define("Alpha", kGraceful);
  auto names = backend_.List();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"Alpha", "Echo"}));
  ASSERT_TRUE(backend_.SetRun("Echo", ServiceRun::kStopped, milliseconds(5000)).ok());
}

}  // namespace
}  // namespace tidemark::targets
