// Status and Result<T>: errors as values, shared by every tidemark library.
// Each code maps to one process exit code of DESIGN.md §7 (commands/exit_code.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tidemark {

enum class StatusCode {
  kOk = 0,
  kFailed,        // an operation failed (exit 1)
  kInvalidInput,  // bad usage, plan, environment, value (exit 2)
  kNotFound,      // a named thing does not exist (exit 2 at the CLI)
  kConflict,      // current value differs from what was expected (exit 3)
  kRunStopped,    // a run stopped at a failed step, resumable (exit 4)
  kLocked,        // the journal is held by another writer (exit 5)
  kCorruption,    // journal integrity failure (exit 6)
  kIoError,       // the OS or a library reported an I/O error (exit 1)
  kUnsupported,   // a format or feature this build cannot handle (exit 2)
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Failed(std::string m) { return Status(StatusCode::kFailed, std::move(m)); }
  static Status InvalidInput(std::string m) {
    return Status(StatusCode::kInvalidInput, std::move(m));
  }
  static Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
  static Status Conflict(std::string m) { return Status(StatusCode::kConflict, std::move(m)); }
  static Status RunStopped(std::string m) {
    return Status(StatusCode::kRunStopped, std::move(m));
  }
  static Status Locked(std::string m) { return Status(StatusCode::kLocked, std::move(m)); }
  static Status Corruption(std::string m) {
    return Status(StatusCode::kCorruption, std::move(m));
  }
  static Status IoError(std::string m) { return Status(StatusCode::kIoError, std::move(m)); }
  static Status Unsupported(std::string m) {
    return Status(StatusCode::kUnsupported, std::move(m));
  }

  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  bool Is(StatusCode c) const { return code_ == c; }

  // Returns a copy whose message is "context: message" (same code).
  Status Prefix(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

const char* CodeName(StatusCode c);

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}     // NOLINT: must not be ok
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tidemark

// Returns early from the enclosing function when `expr` is not ok.
#define TM_RETURN_IF_ERROR(expr)            \
  do {                                      \
    ::tidemark::Status tm_status_ = (expr); \
    if (!tm_status_.ok()) return tm_status_; \
  } while (0)

#define TM_CONCAT_INNER(a, b) a##b
#define TM_CONCAT(a, b) TM_CONCAT_INNER(a, b)
// `TM_ASSIGN_OR_RETURN(auto x, F());` assigns the value or returns the status.
#define TM_ASSIGN_OR_RETURN(lhs, expr) \
  TM_ASSIGN_OR_RETURN_IMPL(TM_CONCAT(tm_result_, __LINE__), lhs, expr)
#define TM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
