// RunProcess: runs an `exec` action's command (argument vector, or one string
// through /bin/sh -c when asked), output to a log file, with a timeout.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "store/status.h"

namespace tidemark::engine {

struct ProcessResult {
  int exit_code = 0;          // 128 + signal when killed by a signal
  bool timed_out = false;
  std::string output_tail;    // last lines of the output, for error messages
};

// Runs and waits. Failed when the program cannot be started. The child's
// stdin is /dev/null; stdout and stderr go to `log_file` (appended).
Result<ProcessResult> RunProcess(const std::vector<std::string>& command, bool shell,
                                 int timeout_seconds, const std::filesystem::path& log_file);

}  // namespace tidemark::engine
