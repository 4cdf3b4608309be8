// tidemark-stand-in-service.exe: a real Windows service that plays a
// Connected Backup service for the Windows sandbox and the SCM tests. It
// answers the service control manager like any service: start and stop
// (each optionally slow, to show the pending states), pause and continue
// (unless --no-pause), and can fail its start with a service-specific code.
//
// Installed with Windows' own tool, for example:
//   sc create CBDataTransfer binPath= "C:\tidemark\tidemark-stand-in-service.exe --start-ms 500"
//
// Options (from the service's command line):
//   --start-ms N   stay START_PENDING for N ms before RUNNING (default 0)
//   --stop-ms N    stay STOP_PENDING for N ms before STOPPED (default 0)
//   --no-pause     refuse pause/continue (no SERVICE_ACCEPT_PAUSE_CONTINUE)
//   --fail-start N stop right after START_PENDING with service-specific exit code N
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <cwchar>

namespace {

struct Options {
  DWORD start_ms = 0;
  DWORD stop_ms = 0;
  bool pause = true;
  DWORD fail_code = 0;
};

Options g_options;
SERVICE_STATUS_HANDLE g_status_handle = nullptr;
SERVICE_STATUS g_status{};
HANDLE g_stop_event = nullptr;
DWORD g_checkpoint = 0;

void Report(DWORD state, DWORD wait_hint = 0) {
  g_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  g_status.dwCurrentState = state;
  const bool pending = state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING ||
                       state == SERVICE_PAUSE_PENDING || state == SERVICE_CONTINUE_PENDING;
  g_status.dwControlsAccepted = pending ? 0
                                        : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
                                              (g_options.pause ? SERVICE_ACCEPT_PAUSE_CONTINUE : 0);
  g_status.dwWaitHint = wait_hint;
  g_status.dwCheckPoint = pending ? ++g_checkpoint : 0;
  SetServiceStatus(g_status_handle, &g_status);
}

// Stays in a pending state for `ms`, reporting progress every 100 ms.
void Pending(DWORD state, DWORD ms) {
  for (DWORD waited = 0;; waited += 100) {
    Report(state, 1000);
    if (waited >= ms) return;
    Sleep(100);
  }
}

DWORD WINAPI Handler(DWORD control, DWORD, void*, void*) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
      Report(SERVICE_STOP_PENDING, g_options.stop_ms + 1000);
      SetEvent(g_stop_event);
      return NO_ERROR;
    case SERVICE_CONTROL_PAUSE:
      if (!g_options.pause) return ERROR_CALL_NOT_IMPLEMENTED;
      Report(SERVICE_PAUSED);
      return NO_ERROR;
    case SERVICE_CONTROL_CONTINUE:
      if (!g_options.pause) return ERROR_CALL_NOT_IMPLEMENTED;
      Report(SERVICE_RUNNING);
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      SetServiceStatus(g_status_handle, &g_status);
      return NO_ERROR;
  }
  return ERROR_CALL_NOT_IMPLEMENTED;
}

void WINAPI ServiceMain(DWORD, wchar_t**) {
  g_status_handle = RegisterServiceCtrlHandlerExW(L"", Handler, nullptr);
  if (g_status_handle == nullptr) return;
  g_stop_event = CreateEventW(nullptr, TRUE, FALSE, nullptr);
  Pending(SERVICE_START_PENDING, g_options.start_ms);
  if (g_options.fail_code != 0) {
    g_status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
    g_status.dwServiceSpecificExitCode = g_options.fail_code;
    Report(SERVICE_STOPPED);
    return;
  }
  Report(SERVICE_RUNNING);
  WaitForSingleObject(g_stop_event, INFINITE);
  Pending(SERVICE_STOP_PENDING, g_options.stop_ms);
  g_status.dwWin32ExitCode = NO_ERROR;
  Report(SERVICE_STOPPED);
}

bool ParseOptions(int argc, wchar_t** argv, Options& out) {
  for (int i = 1; i < argc; ++i) {
    const wchar_t* a = argv[i];
    const bool has_value = i + 1 < argc;
    if (std::wcscmp(a, L"--no-pause") == 0) {
      out.pause = false;
    } else if (std::wcscmp(a, L"--start-ms") == 0 && has_value) {
      out.start_ms = static_cast<DWORD>(std::wcstoul(argv[++i], nullptr, 10));
    } else if (std::wcscmp(a, L"--stop-ms") == 0 && has_value) {
      out.stop_ms = static_cast<DWORD>(std::wcstoul(argv[++i], nullptr, 10));
    } else if (std::wcscmp(a, L"--fail-start") == 0 && has_value) {
      out.fail_code = static_cast<DWORD>(std::wcstoul(argv[++i], nullptr, 10));
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

int wmain(int argc, wchar_t** argv) {
  if (!ParseOptions(argc, argv, g_options)) {
    std::fwprintf(
        stderr,
        L"usage: tidemark-stand-in-service.exe [--start-ms N] [--stop-ms N] "
        L"[--no-pause] [--fail-start N]\n  (a Windows service: install it with sc create)\n");
    return 2;
  }
  SERVICE_TABLE_ENTRYW table[] = {{const_cast<wchar_t*>(L""), ServiceMain}, {nullptr, nullptr}};
  if (!StartServiceCtrlDispatcherW(table)) {
    std::fwprintf(stderr,
                  L"not started by the service control manager (error %lu); "
                  L"install it with sc create and start it with sc start\n",
                  GetLastError());
    return 1;
  }
  return 0;
}
