// SIGINT and SIGTERM handlers that request a stop (no SA_RESTART, so a
// blocking wait returns EINTR and notices it at once).
#include <signal.h>

#include "engine/process/interrupt.h"

namespace tidemark::process {
namespace {
void OnSignal(int) { RequestStop(); }
}  // namespace

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace tidemark::process
