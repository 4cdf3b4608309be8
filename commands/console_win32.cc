// Console on Windows: CommandLineToArgvW over GetCommandLineW, converted to
// UTF-8, and SetConsoleOutputCP(CP_UTF8).
#ifdef _WIN32
#include <windows.h>
// windows.h first: shellapi.h depends on its types.
#include <shellapi.h>

#include "commands/console.h"
#include "store/win32_text.h"

namespace tidemark::commands {

std::vector<std::string> Utf8Arguments(int argc, char** argv) {
  int n = 0;
  wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &n);
  if (wide == nullptr || n != argc) {  // not our own command line: keep what main got
    if (wide) LocalFree(wide);
    return std::vector<std::string>(argv, argv + argc);
  }
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(WideToUtf8(wide[i]));
  LocalFree(wide);
  return out;
}

void PrepareConsole() {
  SetConsoleOutputCP(CP_UTF8);
  SetConsoleCP(CP_UTF8);
}

bool StdinIsTerminal() {
  DWORD mode = 0;
  return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
}

}  // namespace tidemark::commands
#endif  // _WIN32
