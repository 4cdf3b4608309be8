// SystemdServiceBackend: services managed through `systemctl` (an argument
// vector through the process runner, never a shell). Start types map auto = enabled, manual = not
// enabled (disabled/static/indirect), disabled = masked; paused = the unit's
// main process is stopped (SIGSTOP via `systemctl kill`).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/targets/service_target.h"

namespace tidemark::targets {

class SystemdServiceBackend : public ServiceBackend {
 public:
  // `user_manager` adds `--user` (the per-user manager, for tests without root).
  explicit SystemdServiceBackend(bool user_manager = false,
                                 std::string systemctl = "/usr/bin/systemctl");

  // Absent when systemd reports LoadState=not-found. A name without a unit
  // suffix gets ".service". When no unit of the exact name exists, a unit
  // whose name differs only in case is used (Windows lookup rules).
  Result<Value> Read(const std::string& name) override;
  // `systemctl start|stop` or `systemctl kill -s SIGSTOP|SIGCONT`, then polls
  // until the state is reached or `timeout` passes (IoError naming the state
  // reached). Starting a masked (disabled) service is InvalidInput.
  Status SetRun(const std::string& name, ServiceRun run, std::chrono::milliseconds timeout) override;
  // auto: unmask + enable; manual: unmask + disable; disabled: disable + mask.
  Status SetStartType(const std::string& name, StartType start) override;
  // Installed service units (`list-unit-files --type=service`), templates excluded.
  Result<std::vector<std::string>> List() override;
  // Active units that systemd would stop with this one (RequiredBy, BoundBy,
  // ConsistsOf, followed transitively), dependents first.
  Result<std::vector<std::string>> RunningDependents(const std::string& name) override;

 private:
  struct Output {
    int exit_code = 0;
    std::string text;  // stdout and stderr
  };
  // Runs systemctl with `args`; IoError when it cannot run or exceeds `timeout`.
  Result<Output> Systemctl(const std::vector<std::string>& args,
                           std::chrono::milliseconds timeout) const;
  // Systemctl, Failed unless it exits 0.
  Status Must(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const;
  // The unit name for a service name (validated; case-insensitive fallback).
  Result<std::string> Unit(const std::string& name);

  bool user_manager_;
  std::string systemctl_;
};

}  // namespace tidemark::targets
