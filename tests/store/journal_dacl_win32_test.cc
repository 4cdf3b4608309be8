// The journal folder on Windows is the 0700 equivalent: a protected access list
// granting only SYSTEM, Administrators and the creating user, inherited by the
// files RocksDB writes inside; read back through the security API. Wine 8
// keeps no security descriptors on files (it answers from the Unix mode and
// accepts SetNamedSecurityInfoW without change), so there the check is skipped
// with what Wine reported; on Windows it runs in full.
#include <windows.h>
// (after windows.h)
#include <aclapi.h>
#include <sddl.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/event_log.h"
#include "store/win32_text.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::store {
namespace {

using testing::TempDir;

// The access list of `path` in SDDL ("D:P(A;OICI;FA;;;SY)...").
std::string DaclSddl(const std::filesystem::path& path) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (GetNamedSecurityInfoW(path.wstring().c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                            nullptr, nullptr, nullptr, nullptr, &sd) != ERROR_SUCCESS) {
    return "error " + std::to_string(GetLastError());
  }
  wchar_t* text = nullptr;
  ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION,
                                                       &text, nullptr);
  std::string sddl = text == nullptr ? "" : WideToUtf8(text);
  LocalFree(text);
  LocalFree(sd);
  return sddl;
}

std::string MySid() {
  HANDLE token = nullptr;
  OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token);
  char buffer[256];
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, buffer, sizeof(buffer), &size);
  CloseHandle(token);
  wchar_t* sid = nullptr;
  ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, &sid);
  std::string text = sid == nullptr ? "" : WideToUtf8(sid);
  LocalFree(sid);
  return text;
}

bool UnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// The ACEs of an SDDL access list, each "(...)".
std::vector<std::string> Aces(const std::string& sddl) {
  std::vector<std::string> aces;
  for (size_t open = sddl.find('('); open != std::string::npos; open = sddl.find('(', open + 1)) {
    aces.push_back(sddl.substr(open, sddl.find(')', open) - open + 1));
  }
  return aces;
}

TEST(JournalDaclTest, OnlySystemAdministratorsAndTheCreatorMayOpenTheJournal) {
  TempDir dir;
  const auto journal = dir / "journal";
  {
    auto log = EventLog::Open(journal, OpenMode::kCreate);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Event note;
    note.body = Note{"private"};
    ASSERT_TRUE((*log)->Append(note).ok());
  }
  const std::string sddl = DaclSddl(journal);
  if (UnderWine()) {
    GTEST_SKIP() << "Wine stores no file access lists; it reports " << sddl;
  }
  ASSERT_EQ(sddl.rfind("D:P", 0), 0u) << "not a protected access list: " << sddl;
  const std::vector<std::string> aces = Aces(sddl);
  ASSERT_EQ(aces.size(), 3u) << sddl;
  EXPECT_EQ(aces[0], "(A;OICI;FA;;;SY)") << sddl;
  EXPECT_EQ(aces[1], "(A;OICI;FA;;;BA)") << sddl;
  EXPECT_EQ(aces[2], "(A;OICI;FA;;;" + MySid() + ")") << sddl;
  // RocksDB's files inside carry the same three, inherited (ID), and no other.
  for (const auto& entry : std::filesystem::directory_iterator(journal)) {
    if (!entry.is_regular_file()) continue;
    const std::string file_sddl = DaclSddl(entry.path());
    SCOPED_TRACE(entry.path().filename().string() + ": " + file_sddl);
    const std::vector<std::string> file_aces = Aces(file_sddl);
    ASSERT_EQ(file_aces.size(), 3u);
    for (const auto& ace : file_aces) EXPECT_NE(ace.find(";ID;"), std::string::npos);
    EXPECT_EQ(file_sddl.find(";;;WD)"), std::string::npos);  // Everyone
    EXPECT_EQ(file_sddl.find(";;;BU)"), std::string::npos);  // Users
  }
}

}  // namespace
}  // namespace tidemark::store
