// Writer lock on POSIX: flock(2) on writer.lock, close-on-exec.
#ifndef _WIN32
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/journal_lock.h"

namespace tidemark::store {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[512];
  if (lseek(fd, 0, SEEK_SET) < 0) return out;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\0')) out.pop_back();
  return out;
}

}  // namespace

Result<std::unique_ptr<JournalLock>> JournalLock::TryAcquire(const std::filesystem::path& dir,
                                                             std::string* holder) {
  const auto path = LockPath(dir);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::IoError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    *holder = ReadAll(fd);
    close(fd);
    if (err == EWOULDBLOCK) return Status::Locked(path.string());
    return Status::IoError("cannot lock " + path.string() + ": " + std::strerror(err));
  }
  std::unique_ptr<JournalLock> lock(new JournalLock(fd));
  lock->taken_over_from_ = ReadAll(fd);
  const std::string me = DescribeSelf() + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    return Status::IoError("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return lock;
}

JournalLock::~JournalLock() {
  // Empty the description first so a reader never sees a stale holder.
  const int fd = static_cast<int>(handle_);
  if (ftruncate(fd, 0) != 0) {
    // Nothing to do: the flock is released by close() regardless.
  }
  flock(fd, LOCK_UN);
  close(fd);
}

std::string JournalLock::DescribeHolder(const std::filesystem::path& dir) {
  int fd = open(LockPath(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string holder;
  if (flock(fd, LOCK_SH | LOCK_NB) != 0) holder = ReadAll(fd);  // someone holds it
  else flock(fd, LOCK_UN);
  close(fd);
  return holder;
}

}  // namespace tidemark::store
#endif  // !_WIN32
