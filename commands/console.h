// Console: the process's command line as UTF-8 words and a console that
// prints UTF-8. On Windows the words come from GetCommandLineW (argv of main
// is in the ANSI code page) and the console output code page is set to UTF-8.
#pragma once

#include <string>
#include <vector>

namespace tidemark::commands {

// argv[0..argc) as UTF-8 (POSIX: as given).
std::vector<std::string> Utf8Arguments(int argc, char** argv);
// Makes the console show UTF-8 output (no-op on POSIX).
void PrepareConsole();
// Whether standard input is a terminal someone can answer at. On Windows a
// console (GetConsoleMode), not merely a character device: NUL is one too.
bool StdinIsTerminal();

}  // namespace tidemark::commands
