// JournalLock: one writer per journal. An flock(2) on `<journal>/writer.lock`
// plus the holder's host, pid and start time written inside, so a refused
// writer can say who holds it. The kernel drops the flock when the holder
// dies, so a lock left by a dead process is simply taken over.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/status.h"

namespace tidemark::store {

class JournalLock {
 public:
  // Takes the lock or returns Locked("... held by pid P on host H since T").
  // The descriptor is close-on-exec, so processes started by tidemark (service
  // daemons, installers) never inherit it.
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
  explicit JournalLock(int fd) : fd_(fd) {}
  int fd_;
  std::string taken_over_from_;
};

}  // namespace tidemark::store
