// Stop requests from SIGINT/SIGTERM: the executor finishes and records the
// current action, then stops with a message saying how to resume.
#pragma once

namespace tidemark::engine {

// Installs the handlers that set the stop flag: SIGINT/SIGTERM on POSIX;
// Ctrl-C, Ctrl-Break, console close, logoff and shutdown on Windows.
void InstallStopHandlers();
bool StopRequested();
void ClearStopRequest();
// For tests: request a stop as a signal would.
void RequestStop();

}  // namespace tidemark::engine
