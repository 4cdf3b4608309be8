// SystemInfo on Windows: GetComputerNameExW, GetUserNameExW (DOMAIN\user), and
// a protected DACL (owner, Administrators, SYSTEM) as the 0700 equivalent.
#ifdef _WIN32
#include <windows.h>
// windows.h first: the headers below depend on its types.
#include <aclapi.h>
#include <sddl.h>
#define SECURITY_WIN32
#include <secext.h>

#include <memory>
#include <vector>

#include "store/system_info.h"
#include "store/win32_text.h"

namespace tidemark::store {
namespace {

// The SID of the process's user as an SDDL string ("S-1-5-21-...").
std::wstring CurrentUserSid() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return L"";
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buf(size ? size : 1);
  std::wstring out;
  if (GetTokenInformation(token, TokenUser, buf.data(), size, &size)) {
    wchar_t* text = nullptr;
    if (ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid, &text)) {
      out = text;
      LocalFree(text);
    }
  }
  CloseHandle(token);
  return out;
}

}  // namespace

std::string LocalHostName() {
  wchar_t name[256];
  DWORD size = static_cast<DWORD>(std::size(name));
  if (!GetComputerNameExW(ComputerNameDnsHostname, name, &size)) {
    size = static_cast<DWORD>(std::size(name));
    if (!GetComputerNameW(name, &size)) return "";
  }
  return WideToUtf8(std::wstring(name, size));
}

std::string LocalUserName() {
  wchar_t name[512];
  ULONG size = static_cast<ULONG>(std::size(name));
  if (GetUserNameExW(NameSamCompatible, name, &size)) return WideToUtf8(std::wstring(name, size));
  DWORD plain = static_cast<DWORD>(std::size(name));
  if (GetUserNameW(name, &plain)) return WideToUtf8(name);
  return "unknown";
}

uint64_t LocalProcessId() { return GetCurrentProcessId(); }

bool ProcessAlive(uint64_t pid) {
  if (pid == 0) return false;
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return GetLastError() == ERROR_ACCESS_DENIED;
  const bool alive = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  CloseHandle(h);
  return alive;
}

bool RunningAsRoot() { return false; }

bool LocalUserExists(const std::string&) { return false; }

std::tm UtcTime(std::time_t t) {
  std::tm out{};
  gmtime_s(&out, &t);
  return out;
}

std::time_t TimeFromUtc(std::tm utc) { return _mkgmtime(&utc); }

void KillSelfNow() {
  TerminateProcess(GetCurrentProcess(), 137);
  ExitProcess(137);
}

Status MakeDirectoryPrivate(const std::filesystem::path& dir) {
  // P = protected (no inherited entries); OICI = inherited by files and subfolders.
  std::wstring sddl = L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";
  const std::wstring me = CurrentUserSid();
  if (!me.empty()) sddl += L"(A;OICI;FA;;;" + me + L")";
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr)) {
    return Status::IoError("cannot build the journal's access list: " +
                           Win32ErrorText(GetLastError()));
  }
  BOOL present = FALSE, defaulted = FALSE;
  PACL dacl = nullptr;
  GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted);
  std::wstring path = dir.wstring();
  const DWORD err = SetNamedSecurityInfoW(
      path.data(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
      nullptr, nullptr, dacl, nullptr);
  LocalFree(sd);
  if (err != ERROR_SUCCESS) {
    return Status::IoError("cannot restrict " + dir.string() +
                           " to its owner, Administrators and SYSTEM: " + Win32ErrorText(err));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path&) { return Status::Ok(); }

}  // namespace tidemark::store
#endif  // _WIN32
