// The one way tidemark runs another program: an argument vector or a shell
// line, with a timeout, the whole process tree killed on timeout or on a stop
// request (Ctrl-C), and the output captured. POSIX and Win32 implementations.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/status.h"

namespace tidemark::process {

// What to run.
struct Command {
  // argv[0] is searched in PATH when it holds no path separator; every
  // argument reaches the program unchanged (no shell).
  static Command Argv(std::vector<std::string> argv);
  // One line for the system shell: `/bin/sh -c LINE` on POSIX,
  // `%ComSpec% /d /s /c "LINE"` (cmd.exe) on Windows.
  static Command Shell(std::string line);

  std::vector<std::string> argv;  // a shell command holds its line as argv[0]
  bool shell = false;

  // The program named in error messages (argv[0], or "/bin/sh" / "cmd.exe").
  std::string Program() const;
  // The arguments joined with spaces, for messages (not for re-parsing).
  std::string Display() const;
};

struct RunOptions {
  std::filesystem::path working_dir;                      // empty: tidemark's own
  std::vector<std::pair<std::string, std::string>> env;   // added to tidemark's, replacing same names
  std::filesystem::path stdin_file;                       // empty: the null device
  // Non-empty: stdout alone goes to this new file (created exclusively,
  // 0600 on POSIX; IoError if it exists) and the output below is stderr only.
  std::filesystem::path stdout_file;
  std::filesystem::path log_file;   // non-empty: the output is appended here as it comes
  bool capture = false;             // keep the whole output in ExitStatus::output
  size_t tail_lines = 5;            // lines kept in ExitStatus::tail
  // Called with each output line (without its end of line), one call at a
  // time, from a thread the runner owns; never after Run returns.
  std::function<void(std::string_view line)> on_line;
  // Called once, on the calling thread, as soon as the program has started,
  // with its process id (on POSIX also its process group). Returning false
  // ends the whole tree at once (ExitStatus::interrupted): for a program
  // whose start could not be recorded.
  std::function<bool(int64_t pid)> on_started;
  // nullopt: no limit. When it passes, the whole tree is asked to stop
  // (SIGTERM to the process group / Ctrl-Break) and killed after kill_grace
  // (SIGKILL / TerminateJobObject).
  std::optional<std::chrono::milliseconds> timeout;
  std::chrono::milliseconds kill_grace{5000};
  // A stop request (interrupt.h) ends the tree the same way.
  bool stop_on_interrupt = true;
};

// How a run ended. A non-zero exit is a result, not an error.
struct ExitStatus {
  int exit_code = 0;       // the exit code, or 128 + signal when killed by a signal
  int signal = 0;          // POSIX: the signal that ended the program, else 0
  bool timed_out = false;  // killed because RunOptions::timeout passed
  bool interrupted = false;  // killed because tidemark was asked to stop
  std::chrono::milliseconds timeout{0};  // the limit, when timed_out
  std::string output;      // stdout+stderr (stderr only with stdout_file), when capture
  std::string tail;        // the last tail_lines lines, each ending in '\n'

  bool ok() const { return exit_code == 0 && !timed_out && !interrupted; }
  // "exited with code 3", "killed by signal 9", "timed out after 2 s", ...
  std::string Describe() const;
};

// Runs `command` and waits for it. stdin is the null device (or stdin_file);
// stdout and stderr go, merged, to the log file, the capture, the tail and
// the line callback. The child gets no descriptor/handle of ours besides its
// standard three. InvalidInput for an empty command; IoError naming the
// program when it cannot be started (not found, not executable, bad working
// directory) and naming the file when a redirection cannot be opened.
// Thread-safe (each call is independent).
Result<ExitStatus> Run(const Command& command, const RunOptions& options = {});

struct DetachedOptions {
  std::filesystem::path working_dir;  // empty: tidemark's own
  std::filesystem::path log_file;     // stdout and stderr appended here; empty: null device
};

// Starts `command` as a long-lived process that outlives tidemark: its own
// session and process group (POSIX: double fork + setsid, never our zombie;
// Windows: a new process group outside any job), stdin from the null device,
// signal dispositions and mask reset. Returns its process id (== its process
// group id on POSIX). IoError naming the program when it cannot be started.
Result<int64_t> StartDetached(const Command& command, const DetachedOptions& options = {});

}  // namespace tidemark::process
