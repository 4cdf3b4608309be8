// JournalLock: one writer per journal. An OS lock on `<journal>/writer.lock`
// (flock(2) on POSIX, LockFileEx on Windows) plus the holder's host, pid and
// start time written inside, so a refused writer can say who holds it. The OS
// drops the lock when the holder dies, so a lock left by a dead process is
// simply taken over. journal_lock_posix.cc / journal_lock_win32.cc.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/status.h"

namespace tidemark::store {

class JournalLock {
 public:
  // Takes the lock or returns Locked("... held by pid P on host H since T").
  // The descriptor is close-on-exec, so processes started by tidemark (service
  // daemons, installers) never inherit it. A holder that has not yet written
  // its description (or is just releasing) is waited for, up to ~2 s, so the
  // holder is always named (or the lock taken).
  static Result<std::unique_ptr<JournalLock>> Acquire(const std::filesystem::path& dir);
  ~JournalLock();
  JournalLock(const JournalLock&) = delete;
  JournalLock& operator=(const JournalLock&) = delete;

  // "pid 123 on host h since 2026-11-25T02:10:00Z" of the previous holder when
  // this lock was taken over from a dead process, else empty.
  const std::string& taken_over_from() const { return taken_over_from_; }

  // The holder description written in the lock file, or empty when unlocked.
  static std::string DescribeHolder(const std::filesystem::path& dir);

 private:
  explicit JournalLock(std::intptr_t handle) : handle_(handle) {}
  // One attempt (journal_lock_posix.cc / _win32.cc): the lock, or Locked with
  // `holder` set to the description read from the lock file (maybe empty).
  static Result<std::unique_ptr<JournalLock>> TryAcquire(const std::filesystem::path& dir,
                                                         std::string* holder);
  // "pid P on host H since T" for this process, as written in the lock file.
  static std::string DescribeSelf();
  static std::filesystem::path LockPath(const std::filesystem::path& dir) {
    return dir / "writer.lock";
  }

  std::intptr_t handle_;  // file descriptor (POSIX) or HANDLE (Windows)
  std::string taken_over_from_;
};

}  // namespace tidemark::store
