// The scm services backend (service_win32.cc) against the real service
// control manager (Wine's, under the Windows test run): real services,
// installed with sc.exe from tidemark-stand-in-service.exe, with sc.exe and
// reg.exe as the independent readers. Then the engine: a service.stop of a
// service that others depend on stops them first, each its own change, and
// rollback starts them all again.
#include <gtest/gtest.h>
#include <windows.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/targets/odbc_text.h"
#include "engine/targets/service_target.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

using std::chrono::milliseconds;
using tidemark::testing::CliResult;
using tidemark::testing::RunProgram;
using tidemark::testing::RunTidemark;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

CliResult Sc(std::vector<std::string> args) {
  args.insert(args.begin(), "sc");
  return RunProgram(args);
}

Value Svc(ServiceRun run, StartType start) { return Value::Service(run, start); }

class ScmServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prefix_ = "TmT" + std::to_string(GetCurrentProcessId()) +
              ::testing::UnitTest::GetInstance()->current_test_info()->name();
    prefix_.resize(std::min<size_t>(prefix_.size(), 60));
    target_ = std::make_unique<ServiceTarget>("S1", MakeWindowsScmBackend(""), milliseconds(15000));
  }
  void TearDown() override {
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      Sc({"stop", *it});
    }
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
      WaitScState(*it, "STOPPED");
      Sc({"delete", *it});
    }
  }

  // Installs a stand-in service `prefix_ + suffix`, demand start.
  std::string Create(const std::string& suffix, const std::string& args = "",
                     const std::string& depends_on = "") {
    const std::string name = prefix_ + suffix;
    const std::string exe = odbc_text::LocalFilePath(TIDEMARK_STAND_IN_SERVICE).string();
    std::vector<std::string> argv = {"create", name,    "binPath=", "\"" + exe + "\" " + args,
                                     "start=", "demand"};
    if (!depends_on.empty()) {
      argv.push_back("depend=");
      argv.push_back(depends_on);
    }
    const CliResult r = Sc(argv);
    EXPECT_EQ(r.exit_code, 0) << "sc create " << name << ": " << r.out << r.err;
    created_.push_back(name);
    return name;
  }

  Resource R(const std::string& name) const { return Resource::Service("S1", name); }

  Value Read(const std::string& name) {
    auto v = target_->Read(R(name));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value::Null();
  }

  // The STATE line of `sc query`, e.g. "RUNNING".
  static std::string ScState(const std::string& name) {
    const CliResult r = Sc({"query", name});
    for (const char* s : {"STOP_PENDING", "START_PENDING", "PAUSE_PENDING", "CONTINUE_PENDING",
                          "RUNNING", "STOPPED", "PAUSED"}) {
      if (r.out.find(s) != std::string::npos) return s;
    }
    return "? " + r.out;
  }
  static void WaitScState(const std::string& name, const std::string& state) {
    for (int i = 0; i < 100 && ScState(name) != state; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
    }
  }

  // HKLM\System\CurrentControlSet\Services\NAME value as `reg query` prints it.
  static std::string RegValue(const std::string& name, const std::string& value) {
    const CliResult r = RunProgram(
        {"reg", "query", "HKLM\\System\\CurrentControlSet\\Services\\" + name, "/v", value});
    if (r.exit_code != 0) return "<absent>";
    const size_t at = r.out.find("0x");
    return at == std::string::npos ? r.out : r.out.substr(at, r.out.find_first_of("\r\n", at) - at);
  }

  std::string prefix_;
  std::vector<std::string> created_;
  std::unique_ptr<ServiceTarget> target_;
};

TEST_F(ScmServiceTest, StartsPausesContinuesAndStopsARealServiceAsScQuerySees) {
  const std::string a = Create("A");
  EXPECT_EQ(Read(a), Svc(ServiceRun::kStopped, StartType::kManual));
  const Value stopped = Svc(ServiceRun::kStopped, StartType::kManual);
  const Value running = Svc(ServiceRun::kRunning, StartType::kManual);
  const Value paused = Svc(ServiceRun::kPaused, StartType::kManual);

  ASSERT_TRUE(target_->Write(R(a), stopped, running).ok());
  EXPECT_EQ(ScState(a), "RUNNING");
  ASSERT_TRUE(target_->Write(R(a), running, paused).ok());
  EXPECT_EQ(ScState(a), "PAUSED");
  ASSERT_TRUE(target_->Write(R(a), paused, running).ok());
  EXPECT_EQ(ScState(a), "RUNNING");
  ASSERT_TRUE(target_->Write(R(a), running, stopped).ok());
  EXPECT_EQ(ScState(a), "STOPPED");
  EXPECT_EQ(Read(a), stopped);
}

TEST_F(ScmServiceTest, EveryStartTypeIsReadAndWrittenAsTheServicesKeyHoldsIt) {
  const std::string a = Create("A");
  struct Case {
    StartType start;
    const char* start_value;
  };
  StartType before = StartType::kManual;
  for (const Case& c : {Case{StartType::kAuto, "0x2"}, Case{StartType::kDelayedAuto, "0x2"},
                        Case{StartType::kDisabled, "0x4"}, Case{StartType::kManual, "0x3"}}) {
    Status s =
        target_->Write(R(a), Svc(ServiceRun::kStopped, before), Svc(ServiceRun::kUnknown, c.start));
    ASSERT_TRUE(s.ok()) << StartTypeName(c.start) << ": " << s.ToString();
    EXPECT_EQ(Read(a), Svc(ServiceRun::kStopped, c.start));
    EXPECT_EQ(RegValue(a, "Start"), c.start_value) << StartTypeName(c.start);
    if (c.start == StartType::kDelayedAuto) {
      EXPECT_EQ(RegValue(a, "DelayedAutostart"), "0x1");
    }
    if (c.start == StartType::kAuto) {
      EXPECT_NE(RegValue(a, "DelayedAutostart"), "0x1");
    }
    before = c.start;
  }
}

TEST_F(ScmServiceTest, ASlowStartTimesOutNamingTheServiceAndItsPendingState) {
  const std::string slow = Create("Slow", "--start-ms 4000");
  ServiceTarget impatient("S1", MakeWindowsScmBackend(""), milliseconds(1000));
  Status s = impatient.Write(R(slow), Svc(ServiceRun::kStopped, StartType::kManual),
                             Svc(ServiceRun::kRunning, StartType::kUnknown));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(slow), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("start pending"), std::string::npos) << s.message();
  WaitScState(slow, "RUNNING");
  EXPECT_EQ(ScState(slow), "RUNNING");
}

TEST_F(ScmServiceTest, WaitsThroughASlowStopUntilStopped) {
  const std::string slow = Create("Slow", "--stop-ms 1500");
  ASSERT_TRUE(target_
                  ->Write(R(slow), Svc(ServiceRun::kStopped, StartType::kManual),
                          Svc(ServiceRun::kRunning, StartType::kUnknown))
                  .ok());
  const auto t0 = std::chrono::steady_clock::now();
  Status s = target_->Write(R(slow), Svc(ServiceRun::kRunning, StartType::kManual),
                            Svc(ServiceRun::kStopped, StartType::kUnknown));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(1400));
  EXPECT_EQ(ScState(slow), "STOPPED");
}

TEST_F(ScmServiceTest, AFailedStartAndARefusedPauseAreClearErrors) {
  const std::string failing = Create("Fail", "--fail-start 7");
  Status s = target_->Write(R(failing), Svc(ServiceRun::kStopped, StartType::kManual),
                            Svc(ServiceRun::kRunning, StartType::kUnknown));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(failing), std::string::npos) << s.message();

  const std::string stubborn = Create("NoPause", "--no-pause");
  ASSERT_TRUE(target_
                  ->Write(R(stubborn), Svc(ServiceRun::kStopped, StartType::kManual),
                          Svc(ServiceRun::kRunning, StartType::kUnknown))
                  .ok());
  s = target_->Write(R(stubborn), Svc(ServiceRun::kRunning, StartType::kManual),
                     Svc(ServiceRun::kPaused, StartType::kUnknown));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(stubborn), std::string::npos) << s.message();
  EXPECT_EQ(ScState(stubborn), "RUNNING");
}

TEST_F(ScmServiceTest, CompareAndSetRefusesAServiceSomeoneElseStarted) {
  const std::string a = Create("A");
  ASSERT_EQ(Sc({"start", a}).exit_code, 0);
  WaitScState(a, "RUNNING");
  Status s = target_->Write(R(a), Svc(ServiceRun::kStopped, StartType::kManual),
                            Svc(ServiceRun::kStopped, StartType::kDisabled));
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(RegValue(a, "Start"), "0x3");
  EXPECT_EQ(Read(R(a).name), Svc(ServiceRun::kRunning, StartType::kManual));
}

TEST_F(ScmServiceTest, AMissingServiceReadsAbsentAndCannotBeStarted) {
  const std::string none = prefix_ + "Missing";
  EXPECT_EQ(Read(none), Value::Absent());
  Status s =
      target_->Write(R(none), Value::Absent(), Svc(ServiceRun::kRunning, StartType::kManual));
  EXPECT_FALSE(s.ok());
}

TEST_F(ScmServiceTest, StoppingAServiceStopsItsRunningDependentsFirstAndRollbackStartsThemAgain) {
  const std::string base = Create("Base");
  const std::string mid = Create("Mid", "", base);
  const std::string top = Create("Top", "", mid);
  for (const std::string& n : {base, mid, top}) ASSERT_EQ(Sc({"start", n}).exit_code, 0) << n;
  for (const std::string& n : {base, mid, top}) WaitScState(n, "RUNNING");

  auto dependents = target_->backend().RunningDependents(base);
  ASSERT_TRUE(dependents.ok()) << dependents.status().ToString();
  EXPECT_EQ(*dependents, (std::vector<std::string>{top, mid}));

  TempDir dir;
  WriteFileBytes(dir / "site.yaml", "name: scm\nhosts:\n  S1:\n    services: { backend: scm, machine: . }\n");
  WriteFileBytes(dir / "stop.yaml",
                 "name: stop-base\nsteps:\n  - id: stop\n    title: Stop\n"
                 "    actions:\n      - service.stop: { host: S1, name: " +
                     base + " }\n");
  const std::string journal = (dir / "journal").string();
  CliResult apply = RunTidemark({"apply", (dir / "stop.yaml").string(), "--env",
                                 (dir / "site.yaml").string(), "--yes", "--journal", journal});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  for (const std::string& n : {base, mid, top}) EXPECT_EQ(ScState(n), "STOPPED") << n;
  const size_t top_at = apply.out.find(top);
  const size_t mid_at = apply.out.find(mid);
  EXPECT_NE(top_at, std::string::npos) << apply.out;
  EXPECT_LT(top_at, mid_at) << apply.out;

  CliResult rollback = RunTidemark({"rollback", "--journal", journal});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  for (const std::string& n : {base, mid, top}) EXPECT_EQ(ScState(n), "RUNNING") << n;
}

}  // namespace
}  // namespace tidemark::targets
