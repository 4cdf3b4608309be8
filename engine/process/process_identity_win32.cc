// Win32 process identity: the creation time from GetProcessTimes. (An exec's
// program is in a kill-on-close Job object, so it cannot outlive tidemark;
// the identity still tells a later tidemark that it has ended.)
#include "engine/process/process_identity.h"

#include <windows.h>

#include <string>

namespace tidemark::process {
namespace {

// The creation time of `process` as a decimal number of 100 ns ticks, "" on error.
std::string CreationTime(HANDLE process) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(process, &created, &exited, &kernel, &user)) return "";
  const uint64_t t = (static_cast<uint64_t>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
  return std::to_string(t);
}

}  // namespace

std::string StartIdentity(int64_t pid) {
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return "";
  std::string id = CreationTime(h);
  CloseHandle(h);
  return id;
}

Liveness ProcessLiveness(int64_t pid, const std::string& start_id) {
  if (pid <= 0 || start_id.empty()) return Liveness::kUnknown;
  HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                         static_cast<DWORD>(pid));
  if (h == nullptr) {
    return GetLastError() == ERROR_INVALID_PARAMETER ? Liveness::kEnded : Liveness::kUnknown;
  }
  const bool same = CreationTime(h) == start_id;
  const bool active = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  CloseHandle(h);
  return same && active ? Liveness::kRunning : Liveness::kEnded;
}

}  // namespace tidemark::process
