// The stop flag and its signal handlers.
#include "engine/interrupt.h"

#include <signal.h>

#include <atomic>

namespace tidemark::engine {
namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }
}  // namespace

void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool StopRequested() { return g_stop.load(); }
void ClearStopRequest() { g_stop.store(false); }
void RequestStop() { g_stop.store(true); }

}  // namespace tidemark::engine
