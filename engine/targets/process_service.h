// ProcessServiceBackend: "services" that are real local processes, for the
// Linux sandbox. One definition file per service in a folder; the running
// process is tracked by a pid file that also records its start time.
//
// dir/<Name>.service — text, one `key=value` per line ('#' or ';' starts a
// comment line, blank lines ignored, a trailing CR is dropped):
//   exec=/absolute/path/to/program     required; run with execv (no shell, no PATH)
//   arg=<one argument>                 zero or more, in order, kept exactly
//   start=auto|manual|disabled         start type (default manual)
//   stop_timeout_ms=<n>                grace after SIGTERM before SIGKILL
//                                      (default: the timeout given to SetRun)
// dir/<Name>.pid — "<pid> <starttime>\n", starttime = field 22 of
//   /proc/<pid>/stat (clock ticks since boot), so a recycled pid is never
//   mistaken for the service. Written atomically (temp file + rename).
// dir/<Name>.log — the process's stdout and stderr (appended).
//
// State: running = the pid file names a live process (not a zombie) with the
// recorded start time; paused = that process is stopped (/proc state 'T');
// anything else (no pid file, dead or recycled pid, unreadable pid file) is
// stopped. The process runs in its own session (setsid) and is detached by a
// double fork, so it is never our zombie; signals go to its process group.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/targets/service_target.h"

namespace tidemark::targets {

class ProcessServiceBackend : public ServiceBackend {
 public:
  // `dir` holds the .service files (and gets the .pid and .log files).
  explicit ProcessServiceBackend(std::filesystem::path dir);

  // Absent when there is no definition file; InvalidInput (file:line) for a
  // malformed one.
  Result<Value> Read(const std::string& name) override;
  // running: start (InvalidInput "service X is disabled" when disabled),
  //   resume a paused process with SIGCONT;
  // stopped: SIGTERM to the process group, SIGKILL after the grace period,
  //   IoError when it still will not die; the pid file is then removed;
  // paused: SIGSTOP (starting it first when stopped).
  // Each change waits until /proc shows the new state, up to `timeout`.
  Status SetRun(const std::string& name, ServiceRun run, std::chrono::milliseconds timeout) override;
  // Rewrites (or appends) the `start=` line atomically; other lines are kept.
  Status SetStartType(const std::string& name, StartType start) override;
  Result<std::vector<std::string>> List() override;
  // Sandbox services declare no dependencies: always empty.
  Result<std::vector<std::string>> RunningDependents(const std::string& name) override;

  // The pid of the service's process while running or paused, else nullopt.
  Result<std::optional<pid_t>> Pid(const std::string& name);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Definition {
    std::string name;            // on-disk spelling (file stem)
    std::filesystem::path file;  // dir/<Name>.service
    std::string exec;
    std::vector<std::string> args;
    StartType start = StartType::kManual;
    std::optional<std::chrono::milliseconds> stop_timeout;
  };
  struct Live {
    ServiceRun run = ServiceRun::kStopped;
    pid_t pid = 0;
  };

  // The definition file whose stem matches `name` case-insensitively.
  Result<std::optional<std::filesystem::path>> FindFile(const std::string& name) const;
  Result<Definition> Parse(const std::filesystem::path& file) const;
  Result<Definition> Require(const std::string& name) const;  // NotFound when absent
  std::filesystem::path PidFile(const Definition& d) const;
  Live Probe(const Definition& d) const;

  Status Start(const Definition& d, std::chrono::milliseconds timeout);
  Status Stop(const Definition& d, const Live& live, std::chrono::milliseconds timeout);
  Status Pause(const Definition& d, const Live& live, std::chrono::milliseconds timeout);
  Status Resume(const Definition& d, const Live& live, std::chrono::milliseconds timeout);

  std::filesystem::path dir_;
};

}  // namespace tidemark::targets
