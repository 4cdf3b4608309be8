// The command line CreateProcessW takes: one string that the child's C
// runtime splits back into argv (MSVCRT / CommandLineToArgvW rules).
// Platform-independent so the quoting is tested on every build.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidemark::process {

// `arg` quoted so that the MSVCRT parser returns it unchanged: kept as it is
// when it is non-empty and has no space, tab, newline or '"'; else wrapped
// in quotes, with each '"' escaped as \" and the backslashes before a '"'
// (or before the closing quote) doubled.
std::string QuoteWindowsArgument(std::string_view arg);

// argv quoted and joined with single spaces.
std::string WindowsCommandLine(const std::vector<std::string>& argv);

// The line for cmd.exe: `"<comspec>" /d /s /c "<line>"`. With /s cmd.exe
// strips exactly the outer quotes and runs `line` as typed (no AutoRun: /d).
std::string WindowsShellCommandLine(std::string_view comspec, std::string_view line);

}  // namespace tidemark::process
