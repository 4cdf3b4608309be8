// The stop flag shared by the platform handlers (interrupt_posix.cc,
// interrupt_win32.cc).
#include "engine/interrupt.h"

#include <atomic>

namespace tidemark::engine {
namespace {
std::atomic<bool> g_stop{false};
}  // namespace

bool StopRequested() { return g_stop.load(); }
void ClearStopRequest() { g_stop.store(false); }
void RequestStop() { g_stop.store(true); }

}  // namespace tidemark::engine
