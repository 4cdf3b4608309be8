// MiniSite's service on Linux: Agent, a process-backend service running
// /bin/sleep, started with the site and stopped with it.
#include "tests/testing/mini_site.h"

#include <chrono>
#include <stdexcept>

#include "engine/targets/process_service.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

bool MiniSite::HasServices() { return true; }

void MiniSite::StartServices() const {
  WriteFileBytes(dir_ / "services/S1/Agent.service",
                 "exec=/bin/sleep\narg=3600\nstart=auto\nstop_timeout_ms=2000\n");
  targets::ProcessServiceBackend svc(dir_ / "services/S1");
  Status s = svc.SetRun("Agent", ServiceRun::kRunning, std::chrono::seconds(5));
  if (!s.ok()) throw std::runtime_error("service start: " + s.ToString());
}

void MiniSite::StopServices() const {
  targets::ProcessServiceBackend svc(dir_ / "services/S1");
  auto names = svc.List();
  if (!names.ok()) return;
  for (const auto& n : names.value()) {
    (void)svc.SetRun(n, ServiceRun::kStopped, std::chrono::seconds(5));
  }
}

}  // namespace tidemark::testing
