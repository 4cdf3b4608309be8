// Status names and the mapping from status codes to process exit codes.
#include "store/status.h"

namespace tidemark {

const char* CodeName(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kFailed: return "failed";
    case StatusCode::kInvalidInput: return "invalid input";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kRunStopped: return "run stopped";
    case StatusCode::kLocked: return "locked";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIoError: return "I/O error";
    case StatusCode::kUnsupported: return "unsupported";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  return std::string(CodeName(code_)) + ": " + message_;
}

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

}  // namespace tidemark
