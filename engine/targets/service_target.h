// ServiceTarget: the service adapter of one host (run state + start type),
// compare-and-set over a ServiceBackend: local processes (sandbox), systemd,
// or the Windows service control manager.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

// One way of managing the services of a host. Service names are compared
// case-insensitively, as Windows does. Implementations are not thread-safe.
class ServiceBackend {
 public:
  virtual ~ServiceBackend() = default;
  // Value::Service(run, start) or Value::Absent() when the service is not installed.
  virtual Result<Value> Read(const std::string& name) = 0;
  // Brings the service to `run` (running/stopped/paused) and waits until it
  // really is, up to `timeout`; IoError/Failed with a clear message (service
  // name, state reached) on timeout. NotFound when not installed; InvalidInput
  // for kUnknown or when starting a disabled service.
  virtual Status SetRun(const std::string& name, ServiceRun run,
                        std::chrono::milliseconds timeout) = 0;
  // Changes the start type (auto/manual/disabled); NotFound when not installed.
  virtual Status SetStartType(const std::string& name, StartType start) = 0;
  // Names of all installed services (for scans), sorted.
  virtual Result<std::vector<std::string>> List() = 0;
  // The running services that depend on `name`, directly or not, in the
  // order they must be stopped before it (a dependent before what it
  // depends on). Stopping `name` stops these first, each its own change.
  virtual Result<std::vector<std::string>> RunningDependents(const std::string& name) = 0;
};

class ServiceTarget {
 public:
  // `stop_timeout` bounds every run-state change made by Write.
  ServiceTarget(std::string host, std::unique_ptr<ServiceBackend> backend,
                std::chrono::milliseconds stop_timeout = std::chrono::seconds(20));

  const std::string& host() const { return host_; }
  ServiceBackend& backend() { return *backend_; }

  // The value of Resource::Service(host, name). InvalidInput when `r` is not
  // a service of this host.
  Result<Value> Read(const Resource& r);

  // Compare-and-set: Conflict (naming the service, expected and current)
  // unless the current value equals `expected`; then applies the start type
  // and then the run state of `after` (kUnknown parts = leave as is; the start
  // type goes first so that enabling and starting works in one write). An
  // absent `after` (uninstall) is InvalidInput, as is a non-service value;
  // installing (current absent) is NotFound.
  Status Write(const Resource& r, const Value& expected, const Value& after);

  // The listed services (empty = every installed one) and their values, in
  // the given order; a listed service that is not installed is Absent.
  Result<std::vector<std::pair<Resource, Value>>> Enumerate(const std::vector<std::string>& names);

 private:
  Status CheckResource(const Resource& r) const;

  std::string host_;
  std::unique_ptr<ServiceBackend> backend_;
  std::chrono::milliseconds stop_timeout_;
};

#ifdef _WIN32
// The Windows service control manager of `machine` ("" = this computer);
// defined in service_win32.cc.
std::unique_ptr<ServiceBackend> MakeWindowsScmBackend(std::string machine);
#endif

}  // namespace tidemark::targets
