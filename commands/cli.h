// The command-line entry point: parses the subcommand and runs it.
#pragma once

#include <iosfwd>

namespace tidemark::commands {

// Runs `tidemark` with the given arguments; returns the process exit code
// (DESIGN.md §7). Output goes to `out`/`err` so tests can run it in-process.
int Run(int argc, char** argv);
int Run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tidemark::commands
