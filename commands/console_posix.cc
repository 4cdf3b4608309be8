// Console on POSIX: arguments are already bytes as the user typed them.
#ifndef _WIN32
#include "commands/console.h"

#include <unistd.h>

namespace tidemark::commands {

std::vector<std::string> Utf8Arguments(int argc, char** argv) {
  return std::vector<std::string>(argv, argv + argc);
}

void PrepareConsole() {}

bool StdinIsTerminal() { return isatty(STDIN_FILENO) != 0; }

}  // namespace tidemark::commands
#endif  // !_WIN32
