// Stop requests from SIGINT/SIGTERM: the executor finishes and records the
// current action, then stops with a message saying how to resume.
#pragma once

namespace tidemark::engine {

// Installs SIGINT/SIGTERM handlers that set the stop flag (async-signal-safe).
void InstallStopHandlers();
bool StopRequested();
void ClearStopRequest();
// For tests: request a stop as a signal would.
void RequestStop();

}  // namespace tidemark::engine
