// Stop requests on Windows: Ctrl-C, Ctrl-Break, closing the console window,
// logoff and shutdown set the stop flag, as SIGINT/SIGTERM do on Linux.
#include <windows.h>

#include "engine/process/interrupt.h"

namespace tidemark::process {
namespace {

// Runs on a thread the system creates. After Ctrl-C/Ctrl-Break the process
// goes on and stops after the current action. After close/logoff/shutdown
// Windows ends the process when this returns (about 5 s at most), so wait
// here to give the executor time to record the action in flight and stop.
BOOL WINAPI OnConsoleEvent(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
      RequestStop();
      return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
      RequestStop();
      Sleep(4000);
      return TRUE;
    default:
      return FALSE;
  }
}

}  // namespace

void InstallStopHandlers() { SetConsoleCtrlHandler(OnConsoleEvent, TRUE); }

}  // namespace tidemark::process
