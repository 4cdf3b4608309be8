// DurableFile on Windows: CreateFileW/ReadFile; the replace writes a temp file
// with FILE_FLAG_WRITE_THROUGH, FlushFileBuffers, then ReplaceFileW (keeps the
// target's ACL, owner and attributes) or, for a new file, MoveFileExW with
// MOVEFILE_WRITE_THROUGH. NTFS journals the rename itself: there is no folder
// handle to flush, so write-through on the move is the folder sync.
#ifdef _WIN32
#include <windows.h>

#include <random>

#include "engine/targets/durable_file.h"
#include "store/win32_text.h"

namespace tidemark::targets {
namespace fs = std::filesystem;
namespace {

Status Win32Status(const std::string& what, const fs::path& p, DWORD err) {
  if (err == ERROR_SHARING_VIOLATION || err == ERROR_LOCK_VIOLATION) {
    return Status::IoError(what + " " + p.string() +
                           ": the file is in use by another process (" + Win32ErrorText(err) +
                           "); close that program and resume");
  }
  return Status::IoError(what + " " + p.string() + ": " + Win32ErrorText(err));
}

class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() { Close(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool valid() const { return h_ != INVALID_HANDLE_VALUE; }
  HANDLE get() const { return h_; }
  bool Close() {
    if (!valid()) return true;
    const bool ok = CloseHandle(h_) != 0;
    h_ = INVALID_HANDLE_VALUE;
    return ok;
  }

 private:
  HANDLE h_;
};

// True when some existing ancestor of `p` is a file (a path through a file).
bool ParentIsFile(const fs::path& p) {
  for (fs::path up = p.parent_path(); !up.empty() && up != up.parent_path();
       up = up.parent_path()) {
    const DWORD attrs = GetFileAttributesW(up.wstring().c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES) continue;
    return (attrs & FILE_ATTRIBUTE_DIRECTORY) == 0;
  }
  return false;
}

std::wstring TempName(const fs::path& path) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device rd;
  std::string suffix(6, 'x');
  for (auto& c : suffix) c = kChars[rd() % (sizeof kChars - 1)];
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  return (dir / (durable_internal::TempPrefix(path) + suffix)).wstring();
}

Status WriteAll(HANDLE h, std::string_view data, const fs::path& p) {
  while (!data.empty()) {
    const DWORD chunk = data.size() > (1u << 30) ? (1u << 30) : static_cast<DWORD>(data.size());
    DWORD written = 0;
    if (!WriteFile(h, data.data(), chunk, &written, nullptr)) {
      return Win32Status("cannot write", p, GetLastError());
    }
    data.remove_prefix(written);
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<std::string>> ReadFileBytes(const fs::path& p, const std::string& display) {
  const std::wstring wide = p.wstring();
  const DWORD attrs = GetFileAttributesW(wide.c_str());
  if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY)) {
    return Status::InvalidInput(display + ": " + p.string() + " is not a regular file");
  }
  Handle h(CreateFileW(wide.c_str(), GENERIC_READ,
                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                       OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
  if (!h.valid()) {
    const DWORD err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) {
      if (ParentIsFile(p)) {
        return Status::InvalidInput(display + ": a parent of " + p.string() + " is not a folder");
      }
      return std::optional<std::string>();
    }
    return Win32Status("cannot open", p, err);
  }
  std::string content;
  LARGE_INTEGER size{};
  if (GetFileSizeEx(h.get(), &size)) content.reserve(static_cast<size_t>(size.QuadPart));
  char buf[65536];
  for (;;) {
    DWORD n = 0;
    if (!ReadFile(h.get(), buf, sizeof buf, &n, nullptr)) {
      return Win32Status("cannot read", p, GetLastError());
    }
    if (n == 0) break;
    content.append(buf, n);
  }
  return std::optional<std::string>(std::move(content));
}

Status ReplaceFileDurably(const fs::path& path, std::string_view content) {
  const std::wstring target = path.wstring();
  const std::wstring tmp = TempName(path);
  const fs::path tmp_path(tmp);
  Handle h(CreateFileW(tmp.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                       FILE_ATTRIBUTE_NORMAL | FILE_FLAG_WRITE_THROUGH, nullptr));
  if (!h.valid()) return Win32Status("cannot create temp file", tmp_path, GetLastError());
  auto fail = [&](Status s) {
    h.Close();
    DeleteFileW(tmp.c_str());
    return s;
  };
  Status s = WriteAll(h.get(), content, tmp_path);
  if (!s.ok()) return fail(s);
  if (!FlushFileBuffers(h.get())) return fail(Win32Status("cannot flush", tmp_path, GetLastError()));
  if (!h.Close()) return fail(Win32Status("cannot close", tmp_path, GetLastError()));
  const DWORD attrs = GetFileAttributesW(target.c_str());
  const bool exists = attrs != INVALID_FILE_ATTRIBUTES;
  std::wstring replaced = target;
  if (exists) {
    // The name keeps its spelling on disk (dailymaint.CMD replaces DailyMaint.cmd,
    // which stays DailyMaint.cmd), and the replacement carries the old file's
    // attributes (Wine's ReplaceFileW keeps neither).
    WIN32_FIND_DATAW found;
    HANDLE f = FindFirstFileW(target.c_str(), &found);
    if (f != INVALID_HANDLE_VALUE) {
      FindClose(f);
      replaced = (path.parent_path() / found.cFileName).wstring();
    }
    constexpr DWORD kKept = FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE |
                            FILE_ATTRIBUTE_NOT_CONTENT_INDEXED;
    if ((attrs & kKept) != 0 && !SetFileAttributesW(tmp.c_str(), attrs & kKept)) {
      return fail(Win32Status("cannot set the attributes of", tmp_path, GetLastError()));
    }
  }
  const BOOL moved =
      exists ? ReplaceFileW(replaced.c_str(), tmp.c_str(), nullptr, REPLACEFILE_WRITE_THROUGH,
                            nullptr, nullptr)
             : MoveFileExW(tmp.c_str(), target.c_str(),
                           MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
  if (!moved) {
    const DWORD err = GetLastError();
    DeleteFileW(tmp.c_str());
    return Win32Status("cannot replace", path, err);
  }
  durable_internal::RemoveStaleTemps(path);
  return Status::Ok();
}

Status RemoveFileDurably(const fs::path& path) {
  if (!DeleteFileW(path.wstring().c_str())) {
    const DWORD err = GetLastError();
    if (err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND) return Status::Ok();
    return Win32Status("cannot delete", path, err);
  }
  return Status::Ok();
}

}  // namespace tidemark::targets
#endif  // _WIN32
