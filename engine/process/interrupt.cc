// The stop flag itself; the handlers that set it are in interrupt_posix.cc
// and interrupt_win32.cc.
#include "engine/process/interrupt.h"

#include <atomic>

namespace tidemark::process {
namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");
}  // namespace

bool StopRequested() { return g_stop.load(); }
void ClearStopRequest() { g_stop.store(false); }
void RequestStop() { g_stop.store(true); }

}  // namespace tidemark::process
