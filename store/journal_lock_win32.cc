// Writer lock on Windows: LockFileEx on one byte far past the end of
// writer.lock, so the holder text at offset 0 stays readable by a refused
// writer. The handle is not inheritable, so installers never hold the lock.
#ifdef _WIN32
#include <windows.h>

#include "store/journal_lock.h"
#include "store/win32_text.h"

namespace tidemark::store {
namespace {

// The locked byte: beyond any holder text (Windows locks ranges past EOF).
constexpr DWORD kLockOffsetHigh = 0x40000000;

HANDLE OpenLockFile(const std::filesystem::path& path, DWORD access, DWORD disposition) {
  return CreateFileW(path.wstring().c_str(), access,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, disposition,
                     FILE_ATTRIBUTE_NORMAL, nullptr);
}

bool LockByte(HANDLE h, DWORD flags) {
  OVERLAPPED at{};
  at.OffsetHigh = kLockOffsetHigh;
  return LockFileEx(h, flags | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &at) != 0;
}

void UnlockByte(HANDLE h) {
  OVERLAPPED at{};
  at.OffsetHigh = kLockOffsetHigh;
  UnlockFileEx(h, 0, 1, 0, &at);
}

std::string ReadAll(HANDLE h) {
  std::string out;
  LARGE_INTEGER zero{};
  if (!SetFilePointerEx(h, zero, nullptr, FILE_BEGIN)) return out;
  char buf[512];
  DWORD n = 0;
  while (ReadFile(h, buf, sizeof buf, &n, nullptr) && n > 0) out.append(buf, n);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == '\0')) {
    out.pop_back();
  }
  return out;
}

bool Rewrite(HANDLE h, const std::string& text) {
  LARGE_INTEGER zero{};
  DWORD written = 0;
  return SetFilePointerEx(h, zero, nullptr, FILE_BEGIN) && SetEndOfFile(h) &&
         WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) &&
         written == text.size();
}

}  // namespace

Result<std::unique_ptr<JournalLock>> JournalLock::TryAcquire(const std::filesystem::path& dir,
                                                             std::string* holder) {
  const auto path = LockPath(dir);
  HANDLE h = OpenLockFile(path, GENERIC_READ | GENERIC_WRITE, OPEN_ALWAYS);
  if (h == INVALID_HANDLE_VALUE) {
    return Status::IoError("cannot open " + path.string() + ": " + Win32ErrorText(GetLastError()));
  }
  if (!LockByte(h, LOCKFILE_EXCLUSIVE_LOCK)) {
    const DWORD err = GetLastError();
    *holder = ReadAll(h);
    CloseHandle(h);
    if (err == ERROR_LOCK_VIOLATION || err == ERROR_IO_PENDING) return Status::Locked(path.string());
    return Status::IoError("cannot lock " + path.string() + ": " + Win32ErrorText(err));
  }
  std::unique_ptr<JournalLock> lock(new JournalLock(reinterpret_cast<std::intptr_t>(h)));
  lock->taken_over_from_ = ReadAll(h);
  if (!Rewrite(h, DescribeSelf() + "\n")) {
    return Status::IoError("cannot write " + path.string() + ": " + Win32ErrorText(GetLastError()));
  }
  return lock;
}

JournalLock::~JournalLock() {
  HANDLE h = reinterpret_cast<HANDLE>(handle_);
  // Empty the description first so a reader never sees a stale holder.
  Rewrite(h, "");
  UnlockByte(h);
  CloseHandle(h);
}

std::string JournalLock::DescribeHolder(const std::filesystem::path& dir) {
  HANDLE h = OpenLockFile(LockPath(dir), GENERIC_READ, OPEN_EXISTING);
  if (h == INVALID_HANDLE_VALUE) return "";
  std::string holder;
  if (!LockByte(h, 0)) {
    holder = ReadAll(h);  // someone holds it
  } else {
    UnlockByte(h);
  }
  CloseHandle(h);
  return holder;
}

}  // namespace tidemark::store
#endif  // _WIN32
