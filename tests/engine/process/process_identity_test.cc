// Process identity against real programs: a program is running while it
// runs and ended once it has, a recorded identity never matches another
// process given the same pid, and (POSIX) a program that exited leaving a
// child in its process group still counts as running.
#include "engine/process/process_identity.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "engine/process/process_runner.h"

#ifndef _WIN32
#include <signal.h>
#endif

namespace tidemark::process {
namespace {

using Clock = std::chrono::steady_clock;

// A program that runs about a second and then exits 0.
Command OneSecond() {
#ifdef _WIN32
  return Command::Shell("ping -n 2 127.0.0.1 >nul");
#else
  return Command::Argv({"sleep", "1"});
#endif
}

// Waits up to 10 s for (pid, id) to be seen as ended.
bool EndsWithin10s(int64_t pid, const std::string& id) {
  for (int i = 0; i < 200; ++i) {
    if (ProcessLiveness(pid, id) == Liveness::kEnded) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(ProcessIdentityTest, RunningWhileItRunsEndedAfter) {
  int64_t pid = 0;
  std::string id;
  Liveness during = Liveness::kUnknown;
  RunOptions o;
  o.on_started = [&](int64_t p) {
    pid = p;
    id = StartIdentity(p);
    during = ProcessLiveness(p, id);
    return true;
  };
  auto r = process::Run(OneSecond(), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->ok()) << r->Describe();
  ASSERT_GT(pid, 0);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(during, Liveness::kRunning);
  EXPECT_TRUE(EndsWithin10s(pid, id));
}

TEST(ProcessIdentityTest, AnotherProcessWithThePidIsNotTheRecordedOne) {
  Liveness other = Liveness::kRunning, none = Liveness::kRunning;
  RunOptions o;
  o.on_started = [&](int64_t p) {
    std::string id = StartIdentity(p);
    // The same pid with another start: a process given a reused pid.
    const size_t cut = id.find('/');
    const std::string changed = (cut == std::string::npos ? "" : id.substr(0, cut + 1)) + "1";
    other = ProcessLiveness(p, changed);
    none = ProcessLiveness(p, "");
    return true;
  };
  ASSERT_TRUE(process::Run(OneSecond(), o).ok());
  EXPECT_EQ(other, Liveness::kEnded);
  EXPECT_EQ(none, Liveness::kUnknown);
}

TEST(ProcessIdentityTest, RefusedStartEndsTheProgramAtOnce) {
  RunOptions o;
  o.on_started = [](int64_t) { return false; };
  const auto t0 = Clock::now();
#ifdef _WIN32
  auto r = process::Run(Command::Shell("ping -n 30 127.0.0.1 >nul"), o);
#else
  auto r = process::Run(Command::Argv({"sleep", "30"}), o);
#endif
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->interrupted);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
}

#ifndef _WIN32
// The installer exits, its helper runs on in its process group: still running.
TEST(ProcessIdentityTest, ProgramWhoseGroupRunsOnIsRunning) {
  int64_t pid = 0;
  std::string id;
  RunOptions o;
  o.on_started = [&](int64_t p) {
    pid = p;
    id = StartIdentity(p);
    return true;
  };
  auto r = process::Run(Command::Shell("sleep 30 >/dev/null 2>&1 & exit 0"), o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_GT(pid, 0);
  EXPECT_EQ(ProcessLiveness(pid, id), Liveness::kRunning);
  ::kill(static_cast<pid_t>(-pid), SIGKILL);
  EXPECT_TRUE(EndsWithin10s(pid, id));
}
#endif

}  // namespace
}  // namespace tidemark::process
