// Helpers shared by the fault tests (header-only: tests/faults builds one
// executable from its *_test.cc files): running the real tidemark binary
// under strace fault injection, and driving a MiniSite run to its end.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/cli_runner.h"
#include "tests/testing/mini_site.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::faults {

// `args` with `--journal <site journal>` appended.
inline std::vector<std::string> WithJournal(const testing::MiniSite& site,
                                            std::vector<std::string> args) {
  args.push_back("--journal");
  args.push_back(site.journal().string());
  return args;
}

// Whether strace can trace and inject here (some containers forbid ptrace).
inline bool StraceWorks(std::string* reason) {
  testing::CliResult r = testing::RunProgram(
      {"strace", "-f", "-qq", "-o", "/dev/null", "-e", "inject=fdatasync:signal=KILL:when=1", "true"});
  if (r.exit_code != 0) {
    *reason = "strace unavailable or ptrace not permitted: " + r.err;
    return false;
  }
  return true;
}

// LeakSanitizer cannot run under ptrace and aborts the traced process at exit;
// sanitizer builds keep every other check (ignored by normal builds).
inline const char* const kNoLeakCheckUnderPtrace = "ASAN_OPTIONS=detect_leaks=0:abort_on_error=1";

// Runs the tidemark binary under `strace -f -b execve` with one injection
// expression ("fdatasync:signal=KILL:when=3", "write:error=EIO:when=2+", ...).
// Children that exec (service processes) are detached so they do not keep
// strace alive. The result is the tidemark process's own exit code or signal.
inline testing::CliResult RunUnderStrace(const std::string& inject,
                                         const std::vector<std::string>& args,
                                         const std::vector<std::string>& extra_strace = {}) {
  std::vector<std::string> argv = {"strace", "-f", "-b", "execve", "-qq", "-o", "/dev/null"};
  argv.insert(argv.end(), extra_strace.begin(), extra_strace.end());
  argv.push_back("-e");
  argv.push_back("inject=" + inject);
  argv.push_back(TIDEMARK_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  return testing::RunProgram(argv, {kNoLeakCheckUnderPtrace});
}

// After an interruption: resumes the newest run (or starts `start_args` when
// the crash came before that run was recorded: no run at all, or for a
// rollback, no rollback run yet) until it finishes. Returns an empty string
// on success, else what went wrong.
inline std::string DriveToEnd(const testing::MiniSite& site,
                              const std::vector<std::string>& start_args, bool rollback = false) {
  std::string log;
  for (int attempt = 0; attempt < 6; ++attempt) {
    testing::CliResult st = testing::RunTidemarkProcess(WithJournal(site, {"status", "--json"}));
    const bool no_run = st.exit_code != 0 || st.out.find("\"run\":{") == std::string::npos ||
                        (rollback && st.out.find("\"rollback\":true") == std::string::npos);
    testing::CliResult r = no_run ? testing::RunTidemarkProcess(WithJournal(site, start_args))
                                  : testing::RunTidemarkProcess(WithJournal(site, {"resume"}));
    log += (no_run ? "[start] " : "[resume] ") + std::to_string(r.exit_code) + ": " + r.out + r.err + "\n";
    if (r.exit_code == 0) return "";
  }
  return "did not finish:\n" + log;
}

// One traced system call of the main thread: its name and the path of its
// file descriptor (strace -y), "" when it has none.
struct TracedCall {
  std::string name;
  std::string path;
};

// Runs tidemark under `strace -f -y -e trace=<syscalls>` and returns the calls
// made by the main thread (the first pid in the trace), in order: the
// positions strace's per-tracee `when=` counter refers to.
inline std::vector<TracedCall> TraceMainThread(const std::string& syscalls,
                                               const std::vector<std::string>& args,
                                               const std::filesystem::path& trace_file) {
  std::vector<std::string> argv = {"strace", "-f", "-b", "execve", "-qq", "-y", "-s", "0",
                                   "-o", trace_file.string(), "-e", "trace=" + syscalls,
                                   TIDEMARK_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::RunProgram(argv, {kNoLeakCheckUnderPtrace});
  std::vector<TracedCall> calls;
  std::string main_pid;
  std::istringstream in(testing::ReadFileBytes(trace_file));
  for (std::string line; std::getline(in, line);) {
    const size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    const std::string pid = line.substr(0, sp);
    if (main_pid.empty()) main_pid = pid;
    if (pid != main_pid) continue;
    size_t name_start = line.find_first_not_of(' ', sp);
    const size_t paren = line.find('(', name_start);
    if (paren == std::string::npos) continue;
    TracedCall call;
    call.name = line.substr(name_start, paren - name_start);
    if (call.name.find(' ') != std::string::npos || call.name.find('<') != std::string::npos) continue;
    const size_t lt = line.find('<', paren), gt = line.find('>', paren);
    if (lt != std::string::npos && gt != std::string::npos && lt < gt && lt < line.find(',', paren)) {
      call.path = line.substr(lt + 1, gt - lt - 1);
    }
    calls.push_back(call);
  }
  return calls;
}

// 1-based position (strace `when=`) among calls named `name` of the `nth`
// (1-based) call whose path satisfies `pred`; 0 if there is none.
template <typename Pred>
int NthCallWhere(const std::vector<TracedCall>& calls, const std::string& name, int nth, Pred pred) {
  int index = 0, seen = 0;
  for (const auto& c : calls) {
    if (c.name != name) continue;
    ++index;
    if (pred(c.path) && ++seen == nth) return index;
  }
  return 0;
}

// Whether the full sweeps were asked for (tools/crash-sweep sets it).
inline bool FullSweep() {
  const char* v = std::getenv("TIDEMARK_CRASH_SWEEP");
  return v != nullptr && std::string(v) == "full";
}

}  // namespace tidemark::faults
