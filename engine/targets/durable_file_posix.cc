// DurableFile on POSIX: open/read, mkostemp + write + fchmod + fsync + rename +
// fsync of the folder.
#ifndef _WIN32
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "engine/targets/durable_file.h"

namespace tidemark::targets {
namespace fs = std::filesystem;
namespace {

Status ErrnoStatus(const std::string& what, const fs::path& p, int err) {
  return Status::IoError(what + " " + p.string() + ": " + std::strerror(err));
}

fs::path FolderOf(const fs::path& p) { return p.has_parent_path() ? p.parent_path() : "."; }

// The permission bits a new file gets: 0666 & ~umask (umask read from
// /proc/self/status so the process-wide umask is never changed).
mode_t NewFileMode() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Umask:", 0) == 0) {
      try {
        const unsigned long mask = std::stoul(line.substr(6), nullptr, 8);
        return static_cast<mode_t>(0666 & ~mask);
      } catch (...) {
        break;
      }
    }
  }
  return 0644;
}

Status WriteAll(int fd, std::string_view data, const fs::path& p) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", p, errno);
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status FsyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open folder", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot fsync folder", dir, err);
  return Status::Ok();
}

Status ReadAll(int fd, const fs::path& p, std::string* content) {
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot read", p, errno);
    }
    if (n == 0) return Status::Ok();
    content->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Result<std::optional<std::string>> ReadFileBytes(const fs::path& p, const std::string& display) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    if (errno == ENOTDIR) {
      return Status::InvalidInput(display + ": a parent of " + p.string() + " is not a folder");
    }
    return ErrnoStatus("cannot open", p, errno);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("cannot stat", p, err);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidInput(display + ": " + p.string() + " is not a regular file");
  }
  std::string content;
  content.reserve(static_cast<size_t>(st.st_size));
  const Status s = ReadAll(fd, p, &content);
  ::close(fd);
  if (!s.ok()) return s;
  return std::optional<std::string>(std::move(content));
}

Status ReplaceFileDurably(const fs::path& path, std::string_view content) {
  const fs::path dir = FolderOf(path);
  struct stat st;
  const mode_t mode = ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : NewFileMode();
  std::string tmpl = (dir / (durable_internal::TempPrefix(path) + "XXXXXX")).string();
  const int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot create temp file in", dir, errno);
  const fs::path tmp(tmpl);
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  Status s = WriteAll(fd, content, tmp);
  if (!s.ok()) return fail(s);
  if (::fchmod(fd, mode) != 0) return fail(ErrnoStatus("cannot set permissions of", tmp, errno));
  if (::fsync(fd) != 0) return fail(ErrnoStatus("cannot fsync", tmp, errno));
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot close", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot rename temp file over", path, err);
  }
  durable_internal::RemoveStaleTemps(path);
  return FsyncDir(dir);
}

Status RemoveFileDurably(const fs::path& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return ErrnoStatus("cannot delete", path, errno);
  }
  return FsyncDir(FolderOf(path));
}

}  // namespace tidemark::targets
#endif  // !_WIN32
