// FileTarget: the file adapter. Windows paths of one host are mapped under a
// root folder (C:\Program Files\X → <root>/C/Program Files/X), matched
// case-insensitively as Windows does; content is read and written byte-exact.
#pragma once

#include <cstddef>
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

  const std::string& host() const { return host_; }
  const std::filesystem::path& root() const { return root_; }

  // Maps a Windows path (`C:\Program Files\DataCenter\DailyMaint.cmd`, '/'
  // accepted too) to root/C/Program Files/DataCenter/DailyMaint.cmd. Segments
  // are matched case-insensitively against what exists on disk and keep the
  // on-disk spelling (an exact match wins; two case-insensitive matches and
  // no exact one is InvalidInput); new segments keep the given spelling.
  // InvalidInput for relative or drive-relative paths, UNC paths, a missing or
  // bad drive letter, `..` segments, ':' after the drive, NUL bytes, or
  // anything that would escape root (also through symlinks).
  Result<std::filesystem::path> Map(const std::string& windows_path) const;

  // The exact content, or nullopt when the file does not exist. InvalidInput
  // when `r` is not a file of this host or names a folder.
  Result<std::optional<std::string>> ReadContent(const Resource& r) const;

  // Value::File(sha256 hex, size), or Value::Absent() when missing.
  Result<Value> Read(const Resource& r) const;

  // Compare-and-set on the content hash: Conflict (naming the resource, the
  // expected and current values) unless the current value equals `expected`
  // (Value::File hash+size, or Absent). `content` nullopt deletes the file.
  // The replace is atomic: a temp file in the same folder is written, fsynced,
  // renamed over the target, then the folder is fsynced; the existing file's
  // permission bits are kept (new files get 0666 & ~umask). Missing parent
  // folders are created. On any error the target is unchanged and no temp
  // file is left behind.
  Status WriteContent(const Resource& r, const Value& expected,
                      const std::optional<std::string>& content);

  // Every regular file at or under a Windows folder path (or the file itself
  // when the path names a file), sorted by path. Symbolic links are not
  // followed or listed. A missing folder gives an empty list.
  Result<std::vector<FileEntry>> Enumerate(const std::string& windows_folder) const;

 private:
  // Checks kind and host, then maps r.path.
  Result<std::filesystem::path> MapResource(const Resource& r) const;
  // The Windows path (`C:\dir\file`) of a path under root_.
  std::string WindowsPathOf(const std::filesystem::path& p) const;

  std::string host_;
  std::filesystem::path root_;
};

// Literal (not regex) replacement of every non-overlapping occurrence of
// `from`, scanning left to right; returns the count. Bytes-exact: CRLF,
// encoding bytes and everything else untouched. An empty `from` replaces
// nothing and returns 0.
size_t ReplaceAll(std::string& content, std::string_view from, std::string_view to);

}  // namespace tidemark::targets
