// Status code → exit code (exit_code.h).
#include "commands/exit_code.h"

namespace tidemark::commands {

int ExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return 0;
    case StatusCode::kFailed:
    case StatusCode::kIoError: return 1;
    case StatusCode::kInvalidInput:
    case StatusCode::kNotFound:
    case StatusCode::kUnsupported: return 2;
    case StatusCode::kConflict: return 3;
    case StatusCode::kRunStopped: return 4;
    case StatusCode::kLocked: return 5;
    case StatusCode::kCorruption: return 6;
  }
  return 1;
}

}  // namespace tidemark::commands
