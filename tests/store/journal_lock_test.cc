// The writer lock when a second writer arrives while the holder has taken the
// OS lock but not yet written its name (two applies started at once), or is
// releasing it: the refused writer names the holder or gets the lock, never
// "holder unknown". The holder is simulated with flock(2) (POSIX only).
#include "store/journal_lock.h"

#include <gtest/gtest.h>

#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

using testing::TempDir;

// Takes the OS lock on `dir`/writer.lock as a starting tidemark does, writes
// `name` after `name_after`, then empties the file and unlocks after `hold`.
class SlowHolder {
 public:
  SlowHolder(const std::filesystem::path& dir, std::string name, std::chrono::milliseconds name_after,
             std::chrono::milliseconds hold) {
    fd_ = open((dir / "writer.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    EXPECT_GE(fd_, 0);
    EXPECT_EQ(ftruncate(fd_, 0), 0);
    EXPECT_EQ(flock(fd_, LOCK_EX | LOCK_NB), 0);
    thread_ = std::thread([this, name, name_after, hold] {
      std::this_thread::sleep_for(name_after);
      if (!name.empty()) {
        EXPECT_EQ(pwrite(fd_, name.data(), name.size(), 0), static_cast<ssize_t>(name.size()));
      }
      std::this_thread::sleep_for(hold);
      EXPECT_EQ(ftruncate(fd_, 0), 0);
      flock(fd_, LOCK_UN);
      close(fd_);
    });
  }
  ~SlowHolder() { thread_.join(); }

 private:
  int fd_ = -1;
  std::thread thread_;
};

TEST(JournalLockTest, AHolderThatHasNotWrittenItsNameYetIsWaitedForAndNamed) {
  TempDir tmp;
  SlowHolder holder(tmp.path(), "pid 4242 on host other since 2026-12-02T10:00:00Z\n",
                    std::chrono::milliseconds(150), std::chrono::milliseconds(400));
  auto lock = JournalLock::Acquire(tmp.path());
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.status().code(), StatusCode::kLocked);
  EXPECT_NE(lock.status().message().find("pid 4242 on host other"), std::string::npos)
      << lock.status().message();
}

TEST(JournalLockTest, AHolderReleasingWhileRefusedLetsTheWriterTakeTheLock) {
  TempDir tmp;
  // Never names itself (it is releasing): the writer waits and takes the lock.
  SlowHolder holder(tmp.path(), "", std::chrono::milliseconds(0), std::chrono::milliseconds(200));
  auto lock = JournalLock::Acquire(tmp.path());
  ASSERT_TRUE(lock.ok()) << lock.status().ToString();
}

}  // namespace
}  // namespace tidemark::store
#endif  // !_WIN32
