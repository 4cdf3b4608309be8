// DurableFile: the one way targets read and replace whole files. A replace is
// atomic and on disk before it returns: a temp file `.<name>.tidemark-XXXXXX`
// beside the target is written, flushed, renamed over it, and the folder synced.
// durable_file_posix.cc (fsync + rename) / durable_file_win32.cc (write-through
// + FlushFileBuffers + ReplaceFileW/MoveFileExW).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "store/status.h"

namespace tidemark::targets {

// The exact bytes of a regular file, or nullopt when it does not exist.
// InvalidInput (prefixed with `display`) when the path names a folder or a
// parent is not a folder; IoError for anything the system refuses (on
// Windows a file another program holds open without sharing is "in use by
// another process", an IoError).
Result<std::optional<std::string>> ReadFileBytes(const std::filesystem::path& path,
                                                 const std::string& display);

// Replaces (or creates) `path` with `content`. The existing file keeps its
// permission bits (POSIX) or its ACL, owner and attributes (Windows); a new
// file gets the default ones (0666 & ~umask; inherited ACL). Parent folders
// must exist. On any error the target is unchanged and no temp file is left.
// Temp files left by a writer killed before its rename are removed.
Status ReplaceFileDurably(const std::filesystem::path& path, std::string_view content);

// Deletes `path` (absent is fine) and syncs its folder.
Status RemoveFileDurably(const std::filesystem::path& path);

namespace durable_internal {
// `.<name>.tidemark-` : the prefix of this file's temp files.
std::string TempPrefix(const std::filesystem::path& path);
// Removes temp files of `path` left by a writer that died before its rename
// (only one tidemark writes at a time: the journal lock).
void RemoveStaleTemps(const std::filesystem::path& path);
}  // namespace durable_internal

}  // namespace tidemark::targets
