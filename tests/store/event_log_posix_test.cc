// EventLog behaviour that needs POSIX processes and permission bits: the
// journal directory is 0700, a second writer process is refused with the
// holder's pid, and kill -9 during appends loses no acknowledged event.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "commands/exit_code.h"
#include "store/event_log.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

using tidemark::testing::TempDir;

Event NoteEvent(const std::string& text, const std::string& run = "") {
  Event e;
  e.run = run;
  e.body = Note{text};
  return e;
}

std::unique_ptr<EventLog> Create(const TempDir& dir) {
  auto log = EventLog::Open(dir / "j", OpenMode::kCreate);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(log).value();
}

TEST(EventLogTest, DirectoryIsOwnerOnly) {
  TempDir dir;
  auto log = Create(dir);
  struct stat st{};
  ASSERT_EQ(stat((dir / "j").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(EventLogTest, SecondWriterProcessIsRefusedWithHolder) {
  TempDir dir;
  { auto log = Create(dir); }
  int ready[2], done[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(done), 0);
  pid_t child = fork();
  if (child == 0) {
    auto log = EventLog::Open(dir / "j", OpenMode::kWrite);
    char c = log.ok() ? 'y' : 'n';
    if (write(ready[1], &c, 1) != 1) _exit(3);
    if (read(done[0], &c, 1) != 1) _exit(4);
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto second = EventLog::Open(dir / "j", OpenMode::kWrite);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kLocked);
  EXPECT_EQ(commands::ExitCode(second.status()), 5);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(child)), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find("since"), std::string::npos);
  // Readers are never refused.
  EXPECT_TRUE(EventLog::Open(dir / "j", OpenMode::kReadOnly).ok());
  // The holder dies without cleaning up: the lock is taken over.
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  auto third = EventLog::Open(dir / "j", OpenMode::kWrite);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_NE(third.value()->lock()->taken_over_from().find("pid " + std::to_string(child)),
            std::string::npos);
}

TEST(EventLogTest, KillNineMidAppendLosesNoAcknowledgedEvent) {
  for (int round = 0; round < 3; ++round) {
    TempDir dir;
    { auto log = Create(dir); }
    int acks[2];
    ASSERT_EQ(pipe(acks), 0);
    pid_t child = fork();
    if (child == 0) {
      close(acks[0]);
      auto log = EventLog::Open(dir / "j", OpenMode::kWrite);
      if (!log.ok()) _exit(2);
      for (int i = 0;; ++i) {
        auto seq = log.value()->Append(NoteEvent(std::string(static_cast<size_t>(i % 50), 'x')));
        if (!seq.ok()) _exit(3);
        uint64_t s = seq.value();
        if (write(acks[1], &s, sizeof s) != sizeof s) _exit(4);
      }
    }
    close(acks[1]);
    uint64_t acknowledged = 0, s = 0;
    // Let it run a varying while, then kill it mid-stream.
    const uint64_t stop_after = 20 + static_cast<uint64_t>(round) * 37;
    while (read(acks[0], &s, sizeof s) == sizeof s) {
      acknowledged = s;
      if (acknowledged >= stop_after) break;
    }
    kill(child, SIGKILL);
    while (read(acks[0], &s, sizeof s) == sizeof s) acknowledged = s;
    close(acks[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    auto log = EventLog::Open(dir / "j", OpenMode::kWrite);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_GE(log.value()->head().seq, acknowledged);
    auto report = log.value()->Verify().value();
    EXPECT_TRUE(report.ok) << report.problem;
    for (uint64_t seq = 1; seq <= acknowledged; ++seq) ASSERT_TRUE(log.value()->Get(seq).ok());
  }
}

}  // namespace
}  // namespace tidemark::store
