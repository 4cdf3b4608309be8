// A console control handler that requests a stop on Ctrl-C, Ctrl-Break and
// console close (the handler runs on a thread the system creates).
#include <windows.h>

#include "engine/process/interrupt.h"

namespace tidemark::process {
namespace {

BOOL WINAPI OnConsoleEvent(DWORD event) {
  switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
      RequestStop();
      return TRUE;
    default:
      return FALSE;
  }
}

}  // namespace

void InstallStopHandlers() { SetConsoleCtrlHandler(OnConsoleEvent, TRUE); }

}  // namespace tidemark::process
