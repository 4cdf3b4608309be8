// Console on POSIX: arguments are already bytes as the user typed them.
#ifndef _WIN32
#include "commands/console.h"

namespace tidemark::commands {

std::vector<std::string> Utf8Arguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}

void PrepareConsole() {}

}  // namespace tidemark::commands
#endif  // !_WIN32
