// Stop requests on Windows: Ctrl-C, Ctrl-Break, closing the console window,
// logoff and shutdown set the stop flag, as SIGINT/SIGTERM do on Linux.
#ifdef _WIN32
#include <windows.h>

#include "engine/interrupt.h"

namespace tidemark::engine {
namespace {

// Runs on a thread of its own. For Ctrl-C/Ctrl-Break the process goes on and
// stops after the current action. For close/logoff/shutdown Windows ends the
// process when this returns (after about 5 s at most), so wait here to give
// the executor time to record the action in flight and stop cleanly.
BOOL WINAPI OnConsoleEvent(DWORD event) {
  RequestStop();
  if (event == CTRL_CLOSE_EVENT || event == CTRL_LOGOFF_EVENT || event == CTRL_SHUTDOWN_EVENT) {
    Sleep(4000);
  }
  return TRUE;
}

}  // namespace

void InstallStopHandlers() { SetConsoleCtrlHandler(OnConsoleEvent, TRUE); }

}  // namespace tidemark::engine
#endif  // _WIN32
