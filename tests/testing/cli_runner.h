// Running tidemark from tests: in-process (commands::Run with captured output)
// or as a real child process (for kill -9 and signal tests).
#pragma once

#include <string>
#include <vector>

namespace tidemark::testing {

struct CliResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended the process
  std::string out;
  std::string err;
};

// In-process: tidemark::commands::Run(args) with out/err captured.
CliResult RunTidemark(const std::vector<std::string>& args);

// Child process of the built tidemark binary, with extra environment
// variables ("NAME=value"); stdin is /dev/null.
CliResult RunTidemarkProcess(const std::vector<std::string>& args,
                             const std::vector<std::string>& env = {});

// Any program, for tests that drive other tools (wine, sqlite3, ...).
CliResult RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace tidemark::testing
