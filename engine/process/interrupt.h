// Stop requests: SIGINT/SIGTERM (Ctrl-C, Ctrl-Break and console close on
// Windows) set one flag; a running child is killed (process_runner.h) and the
// executor stops after recording the current action, saying how to resume.
#pragma once

namespace tidemark::process {

// Installs the handlers that set the stop flag (async-signal-safe).
void InstallStopHandlers();
bool StopRequested();
void ClearStopRequest();
// Requests a stop as a signal would (also for tests).
void RequestStop();

}  // namespace tidemark::process
