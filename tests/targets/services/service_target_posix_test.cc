// ServiceTarget over the real process backend: compare-and-set, start type
// before run state, partial `after` values, enumeration. Plus the systemd
// backend, which only runs where systemd is PID 1.
#include "engine/targets/service_target.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

#include "engine/targets/process_service.h"
#include "engine/targets/systemd_service.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::targets {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using tidemark::testing::TempDir;
using tidemark::testing::WriteFileBytes;

constexpr char kLoop[] = "trap 'exit 0' TERM; while :; do sleep 0.05; done";

class ServiceTargetTest : public ::testing::Test {
 protected:
  ServiceTargetTest() {
    auto backend = std::make_unique<ProcessServiceBackend>(tmp_.path());
    backend_ = backend.get();
    svc_ = std::make_unique<ServiceTarget>("SERVER1", std::move(backend), milliseconds(5000));
  }
  ~ServiceTargetTest() override {
    auto names = backend_->List();
    if (!names.ok()) return;
    for (const std::string& n : *names) {
      auto pid = backend_->Pid(n);
      if (pid.ok() && pid->has_value()) ::kill(-**pid, SIGKILL);
    }
  }
  void Define(const std::string& name, const std::string& start) {
    WriteFileBytes(tmp_ / (name + ".service"),
                   "exec=/bin/sh\narg=-c\narg=" + std::string(kLoop) + "\nstart=" + start + "\n");
  }
  Value Read(const std::string& name) {
    auto v = svc_->Read(Resource::Service("SERVER1", name));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : Value::Absent();
  }
  static Value Svc(ServiceRun r, StartType s) { return Value::Service(r, s); }

  TempDir tmp_;
  ProcessServiceBackend* backend_ = nullptr;
  std::unique_ptr<ServiceTarget> svc_;
};

TEST_F(ServiceTargetTest, WriteStopsAndStartsWithCompareAndSet) {
  Define("DCTomcat", "auto");
  const Resource r = Resource::Service("SERVER1", "DCTomcat");
  Status s = svc_->Write(r, Svc(ServiceRun::kStopped, StartType::kAuto),
                         Svc(ServiceRun::kRunning, StartType::kAuto));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("DCTomcat"), Svc(ServiceRun::kRunning, StartType::kAuto));

  // A stale `expected` is refused and nothing changes.
  s = svc_->Write(r, Svc(ServiceRun::kStopped, StartType::kAuto),
                  Svc(ServiceRun::kStopped, StartType::kManual));
  ASSERT_TRUE(s.Is(StatusCode::kConflict)) << s.ToString();
  EXPECT_NE(s.message().find("DCTomcat"), std::string::npos);
  EXPECT_NE(s.message().find("stopped/auto"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("running/auto"), std::string::npos) << s.message();
  EXPECT_EQ(Read("DCTomcat"), Svc(ServiceRun::kRunning, StartType::kAuto));

  s = svc_->Write(r, Svc(ServiceRun::kRunning, StartType::kAuto),
                  Svc(ServiceRun::kStopped, StartType::kAuto));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("dctomcat"), Svc(ServiceRun::kStopped, StartType::kAuto));
}

TEST_F(ServiceTargetTest, EnablesBeforeStarting) {
  Define("SQLAgent", "disabled");
  const Resource r = Resource::Service("server1", "sqlagent");
  Status s = svc_->Write(r, Svc(ServiceRun::kStopped, StartType::kDisabled),
                         Svc(ServiceRun::kRunning, StartType::kAuto));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("SQLAgent"), Svc(ServiceRun::kRunning, StartType::kAuto));
  // And back: stop and disable in one write.
  s = svc_->Write(r, Svc(ServiceRun::kRunning, StartType::kAuto),
                  Svc(ServiceRun::kStopped, StartType::kDisabled));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Read("SQLAgent"), Svc(ServiceRun::kStopped, StartType::kDisabled));
}

TEST_F(ServiceTargetTest, UnknownPartsOfAfterAreLeftAlone) {
  Define("W3SVC", "auto");
  const Resource r = Resource::Service("SERVER1", "W3SVC");
  ASSERT_TRUE(svc_->Write(r, Svc(ServiceRun::kStopped, StartType::kAuto),
                          Svc(ServiceRun::kRunning, StartType::kUnknown))
                  .ok());
  EXPECT_EQ(Read("W3SVC"), Svc(ServiceRun::kRunning, StartType::kAuto));
  ASSERT_TRUE(svc_->Write(r, Svc(ServiceRun::kRunning, StartType::kAuto),
                          Svc(ServiceRun::kUnknown, StartType::kManual))
                  .ok());
  EXPECT_EQ(Read("W3SVC"), Svc(ServiceRun::kRunning, StartType::kManual));
}

TEST_F(ServiceTargetTest, RefusesBadWrites) {
  Define("Iisadmin", "manual");
  const Resource r = Resource::Service("SERVER1", "Iisadmin");
  const Value stopped = Svc(ServiceRun::kStopped, StartType::kManual);
  EXPECT_TRUE(svc_->Write(r, stopped, Value::Absent()).Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(svc_->Write(r, stopped, Value::Text("running")).Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(svc_->Write(Resource::Service("SERVER2", "Iisadmin"), stopped,
                          Svc(ServiceRun::kRunning, StartType::kManual))
                  .Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(svc_->Read(Resource::File("SERVER1", "C:\\x")).status().Is(StatusCode::kInvalidInput));
  // Not installed: reads absent; writing is NotFound even when absent was expected.
  const Resource missing = Resource::Service("SERVER1", "NoSuch");
  auto v = svc_->Read(missing);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->absent());
  EXPECT_TRUE(svc_->Write(missing, Value::Absent(), Svc(ServiceRun::kRunning, StartType::kAuto))
                  .Is(StatusCode::kNotFound));
  // A disabled service cannot be started; the backend's message comes through.
  Define("Off", "disabled");
  Status s = svc_->Write(Resource::Service("SERVER1", "Off"),
                         Svc(ServiceRun::kStopped, StartType::kDisabled),
                         Svc(ServiceRun::kRunning, StartType::kUnknown));
  EXPECT_TRUE(s.Is(StatusCode::kInvalidInput)) << s.ToString();
  EXPECT_NE(s.message().find("is disabled"), std::string::npos);
  EXPECT_EQ(Read("Iisadmin"), stopped);
}

TEST_F(ServiceTargetTest, EnumeratesAllOrNamed) {
  Define("Beta", "manual");
  Define("Alpha", "auto");
  auto all = svc_->Enumerate({});
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].first.name, "Alpha");
  EXPECT_EQ((*all)[0].first.host, "SERVER1");
  EXPECT_EQ((*all)[0].second, Svc(ServiceRun::kStopped, StartType::kAuto));
  EXPECT_EQ((*all)[1].first.name, "Beta");

  auto named = svc_->Enumerate({"beta", "Gamma"});
  ASSERT_TRUE(named.ok());
  ASSERT_EQ(named->size(), 2u);
  EXPECT_EQ((*named)[0].second, Svc(ServiceRun::kStopped, StartType::kManual));
  EXPECT_EQ((*named)[1].first, Resource::Service("SERVER1", "gamma"));
  EXPECT_TRUE((*named)[1].second.absent());
}

bool SystemdIsInit() {
  std::ifstream in("/proc/1/comm");
  std::string comm;
  std::getline(in, comm);
  return comm == "systemd" && fs::exists("/usr/bin/systemctl");
}

TEST(SystemdServiceTest, ReadsAnInstalledUnitAndReportsMissingOnes) {
  if (!SystemdIsInit()) GTEST_SKIP() << "systemd is not PID 1 here; systemd backend not tested";
  SystemdServiceBackend backend;
  auto names = backend.List();
  ASSERT_TRUE(names.ok()) << names.status().ToString();
  ASSERT_FALSE(names->empty());
  auto missing = backend.Read("tidemark-no-such-unit-4711");
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_TRUE(missing->absent());
  EXPECT_TRUE(backend.SetRun("tidemark-no-such-unit-4711", ServiceRun::kRunning, milliseconds(100))
                  .Is(StatusCode::kNotFound));
  // systemd-journald runs wherever systemd is init.
  auto journald = backend.Read("systemd-journald");
  ASSERT_TRUE(journald.ok()) << journald.status().ToString();
  EXPECT_EQ(journald->run, ServiceRun::kRunning);
  EXPECT_TRUE(backend.Read("-bad").status().Is(StatusCode::kInvalidInput));
}

TEST(SystemdServiceTest, MissingSystemctlIsAClearError) {
  SystemdServiceBackend backend(false, "/no/such/systemctl");
  auto v = backend.Read("w3svc");
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(v.status().Is(StatusCode::kIoError)) << v.status().ToString();
  EXPECT_NE(v.status().message().find("/no/such/systemctl"), std::string::npos);
  EXPECT_TRUE(backend.Read("-rf").status().Is(StatusCode::kInvalidInput));
  EXPECT_TRUE(backend.Read("a/b").status().Is(StatusCode::kInvalidInput));
}

}  // namespace
}  // namespace tidemark::targets
