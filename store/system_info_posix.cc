// SystemInfo on POSIX: gethostname, getpwuid, chmod 0700, fsync of a directory.
#ifndef _WIN32
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/system_info.h"

namespace tidemark::store {

std::string LocalHostName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

std::string LocalUserName() {
  if (const passwd* pw = getpwuid(geteuid())) return pw->pw_name;
  return std::to_string(geteuid());
}

uint64_t LocalProcessId() { return static_cast<uint64_t>(getpid()); }

bool ProcessAlive(uint64_t pid) {
  if (pid == 0) return false;
  return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool RunningAsRoot() { return geteuid() == 0; }

bool LocalUserExists(const std::string& name) { return getpwnam(name.c_str()) != nullptr; }

std::tm UtcTime(std::time_t t) {
  std::tm out{};
  gmtime_r(&t, &out);
  return out;
}

std::time_t TimeFromUtc(std::tm utc) { return timegm(&utc); }

void KillSelfNow() {
  raise(SIGKILL);
  _exit(137);
}

Status MakeDirectoryPrivate(const std::filesystem::path& dir) {
  if (chmod(dir.c_str(), 0700) != 0) {
    return Status::IoError("cannot set permissions of " + dir.string() + ": " +
                           std::strerror(errno));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IoError("cannot open directory " + dir.string() + ": " + std::strerror(errno));
  }
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  if (rc != 0) {
    return Status::IoError("cannot sync directory " + dir.string() + ": " + std::strerror(err));
  }
  return Status::Ok();
}

}  // namespace tidemark::store
#endif  // !_WIN32
