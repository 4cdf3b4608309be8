// Which process a process id names. An exec's program is recorded with its
// pid and this identity when it starts, so that a later tidemark (after a
// kill, even of tidemark alone) can tell whether that program, or a process
// of its group, still runs, and never takes a new process that was given the
// same pid for it.
#pragma once

#include <cstdint>
#include <string>

namespace tidemark::process {

// A text that differs between two processes ever given `pid`: on Linux the
// boot id and the start time in clock ticks (/proc), on Windows the creation
// time. "" when the system does not say (the process has ended, no /proc).
std::string StartIdentity(int64_t pid);

enum class Liveness {
  kEnded,    // neither the process nor (POSIX) a process of its group runs
  kRunning,  // the same process, or a process of its group, still runs
  kUnknown,  // no identity was recorded, or the system does not say
};
// Whether the process recorded as (pid, start_id) still runs. On POSIX a
// program that has exited but left children in its process group (the pid is
// the group's id) still runs.
Liveness ProcessLiveness(int64_t pid, const std::string& start_id);

}  // namespace tidemark::process
