// Stop requests on POSIX: SIGINT and SIGTERM set the stop flag.
#ifndef _WIN32
#include <signal.h>

#include "engine/interrupt.h"

namespace tidemark::engine {
namespace {
void OnSignal(int) { RequestStop(); }  // std::atomic<bool> store: async-signal-safe
}  // namespace

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

}  // namespace tidemark::engine
#endif  // !_WIN32
