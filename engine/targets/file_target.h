// FileTarget: the file adapter. Windows paths of one host are either mapped
// under a root folder (C:\Program Files\X → <root>/C/Program Files/X, matched
// case-insensitively as Windows does) or, natively on Windows, used as they
// are (C:\Program Files\X), or reached on another computer through its admin
// share (\\SERVER2\C$\Program Files\X). Content is read and written byte-exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

// One regular file found by FileTarget::Enumerate.
struct FileEntry {
  Resource resource;    // Resource::File(host, Windows path in on-disk spelling)
  Value value;          // Value::File(sha256 hex, size)
  std::string content;  // the exact bytes
};

// Not thread-safe for concurrent writes to the same file; reads are safe.
class FileTarget {
 public:
  // `root` holds one folder per drive letter (root/C, root/D, ...).
  FileTarget(std::string host, std::filesystem::path root);
  // The host's own drives (Windows): `machine` empty for this computer's
  // drive paths, else drive X: is reached as \\machine\X$\ (the admin share).
  static FileTarget Native(std::string host, std::string machine);

  const std::string& host() const { return host_; }

  // Maps a Windows path (`C:\Program Files\DataCenter\DailyMaint.cmd`, '/'
  // accepted too) to the path opened: natively the same path (or
  // \\machine\C$\Program Files\...), the file system matching case; under a
  // root, root/C/Program Files/DataCenter/DailyMaint.cmd, where segments
  // are matched case-insensitively against what exists on disk and keep the
  // on-disk spelling (an exact match wins; two case-insensitive matches and
  // no exact one is InvalidInput); new segments keep the given spelling.
  // InvalidInput for relative or drive-relative paths, UNC paths (a plan
  // names the host's drive path; the environment says how it is reached), a
  // missing or bad drive letter, `..` segments, ':' after the drive, NUL
  // bytes, or anything that would escape root (also through symlinks).
  Result<std::filesystem::path> Map(const std::string& windows_path) const;

  // The exact content, or nullopt when the file does not exist. InvalidInput
  // when `r` is not a file of this host or names a folder.
  Result<std::optional<std::string>> ReadContent(const Resource& r) const;

  // Value::File(sha256 hex, size), or Value::Absent() when missing.
  Result<Value> Read(const Resource& r) const;

  // Compare-and-set on the content hash: Conflict (naming the resource, the
  // expected and current values) unless the current value equals `expected`
  // (Value::File hash+size, or Absent). `content` nullopt deletes the file.
  // The replace is atomic and durable (durable_file.h: the existing file's
  // permission bits, or on Windows its ACL and attributes, are kept). Missing
  // parent folders are created. On any error (a file another program holds
  // open is an IoError) the target is unchanged and no temp file is left.
  Status WriteContent(const Resource& r, const Value& expected,
                      const std::optional<std::string>& content);

  // A file's size and the bytes available to this user on the volume that
  // holds it (an upgrade's free-space check), without reading the file.
  // NotFound when the file does not exist; IoError when the volume cannot
  // be queried.
  struct Space {
    uint64_t file_size = 0;
    uint64_t available = 0;
  };
  Result<Space> SpaceOf(const Resource& r) const;

  // Every regular file at or under a Windows folder path (or the file itself
  // when the path names a file), sorted by path. Symbolic links are not
  // followed or listed. A missing folder gives an empty list.
  Result<std::vector<FileEntry>> Enumerate(const std::string& windows_folder) const;

 private:
  struct NativeTag {};
  FileTarget(NativeTag, std::string host, std::string machine);

  // The bytes at a mapped path; natively on another computer, IoError when
  // its admin share cannot be reached (not "absent").
  Result<std::optional<std::string>> ReadMapped(const std::filesystem::path& path,
                                                const Resource& r) const;
  // Checks kind and host, then maps r.path.
  Result<std::filesystem::path> MapResource(const Resource& r) const;
  // Under root_: segments matched on disk, links kept inside root_.
  Result<std::filesystem::path> MapUnderRoot(const std::string& windows_path, char drive,
                                             const std::vector<std::string>& segments) const;
  // The Windows path (`C:\dir\file`) of a path Map returned or one below it.
  std::string WindowsPathOf(const std::filesystem::path& p) const;

  std::string host_;
  std::filesystem::path root_;  // mapped files
  bool native_ = false;
  std::string machine_;  // native: "" = this computer's drives
};

// Literal (not regex) replacement of every non-overlapping occurrence of
// `from`, scanning left to right; returns the count. Bytes-exact: CRLF,
// encoding bytes and everything else untouched. An empty `from` replaces
// nothing and returns 0.
size_t ReplaceAll(std::string& content, std::string_view from, std::string_view to);

}  // namespace tidemark::targets
