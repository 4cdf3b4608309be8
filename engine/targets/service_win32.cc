// WindowsScmBackend: services through the Windows service control manager
// (OpenSCManager, OpenService, QueryServiceStatusEx, ControlService,
// StartService, ChangeServiceConfig). Windows builds only; excluded elsewhere.
#ifdef _WIN32

#include <windows.h>
#include <winsvc.h>

#include <algorithm>
#include <chrono>
#include <cwchar>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/targets/service_target.h"
#include "store/unicode.h"
#include "store/win32_text.h"

namespace tidemark::targets {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::wstring Wide(const std::string& utf8) { return Utf8ToWide(utf8); }
std::string Narrow(const wchar_t* wide) { return wide ? WideToUtf8(wide) : std::string(); }

Status WinError(const std::string& what, DWORD err = GetLastError()) {
  return Status::IoError(what + ": " + Win32ErrorText(err));
}

// Owns an SC_HANDLE.
class ScHandle {
 public:
  explicit ScHandle(SC_HANDLE h = nullptr) : h_(h) {}
  ~ScHandle() {
    if (h_) CloseServiceHandle(h_);
  }
  ScHandle(const ScHandle&) = delete;
  ScHandle& operator=(const ScHandle&) = delete;
  SC_HANDLE get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }
  void Reset(SC_HANDLE h) {
    if (h_) CloseServiceHandle(h_);
    h_ = h;
  }

 private:
  SC_HANDLE h_;
};

ServiceRun RunOf(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return ServiceRun::kStopped;
    case SERVICE_PAUSED: return ServiceRun::kPaused;
    default: return ServiceRun::kRunning;  // running, or on its way somewhere
  }
}

StartType StartOf(DWORD start, bool delayed) {
  switch (start) {
    case SERVICE_AUTO_START: return delayed ? StartType::kDelayedAuto : StartType::kAuto;
    case SERVICE_BOOT_START:
    case SERVICE_SYSTEM_START: return StartType::kAuto;
    case SERVICE_DISABLED: return StartType::kDisabled;
    default: return StartType::kManual;
  }
}

// Settled target states: pending states never count as reached.
bool Reached(DWORD state, ServiceRun run) {
  switch (run) {
    case ServiceRun::kRunning: return state == SERVICE_RUNNING;
    case ServiceRun::kStopped: return state == SERVICE_STOPPED;
    case ServiceRun::kPaused: return state == SERVICE_PAUSED;
    case ServiceRun::kUnknown: break;
  }
  return false;
}

const char* StateName(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED: return "stopped";
    case SERVICE_START_PENDING: return "start pending";
    case SERVICE_STOP_PENDING: return "stop pending";
    case SERVICE_RUNNING: return "running";
    case SERVICE_CONTINUE_PENDING: return "continue pending";
    case SERVICE_PAUSE_PENDING: return "pause pending";
    case SERVICE_PAUSED: return "paused";
  }
  return "unknown";
}

class WindowsScmBackend : public ServiceBackend {
 public:
  explicit WindowsScmBackend(std::string machine) : machine_(std::move(machine)) {}

  Result<Value> Read(const std::string& name) override {
    ScHandle svc;
    Status opened = OpenService(name, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG, &svc);
    if (opened.code() == StatusCode::kNotFound) return Value::Absent();
    TM_RETURN_IF_ERROR(opened);
    TM_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS st, Query(svc, name));
    DWORD needed = 0;
    QueryServiceConfigW(svc.get(), nullptr, 0, &needed);
    std::vector<BYTE> buf(needed ? needed : sizeof(QUERY_SERVICE_CONFIGW));
    auto* cfg = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buf.data());
    if (!QueryServiceConfigW(svc.get(), cfg, static_cast<DWORD>(buf.size()), &needed)) {
      return WinError("cannot read the configuration of service " + name);
    }
    bool delayed = false;
    if (cfg->dwStartType == SERVICE_AUTO_START) {
      TM_ASSIGN_OR_RETURN(delayed, Delayed(svc, name));
    }
    return Value::Service(RunOf(st.dwCurrentState), StartOf(cfg->dwStartType, delayed));
  }

  Status SetRun(const std::string& name, ServiceRun run, milliseconds timeout) override {
    if (run == ServiceRun::kUnknown) {
      return Status::InvalidInput("service " + name +
                                  ": run state must be running, stopped or paused");
    }
    ScHandle svc;
    TM_RETURN_IF_ERROR(OpenService(
        name, SERVICE_QUERY_STATUS | SERVICE_START | SERVICE_STOP | SERVICE_PAUSE_CONTINUE, &svc));
    TM_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS st, Query(svc, name));
    if (Reached(st.dwCurrentState, run)) return Status::Ok();
    if (run == ServiceRun::kPaused && st.dwCurrentState == SERVICE_STOPPED) {
      TM_RETURN_IF_ERROR(Start(svc, name));
      TM_RETURN_IF_ERROR(Wait(svc, name, ServiceRun::kRunning, timeout));
    }
    SERVICE_STATUS ignored;
    switch (run) {
      case ServiceRun::kRunning:
        if (st.dwCurrentState == SERVICE_PAUSED || st.dwCurrentState == SERVICE_PAUSE_PENDING) {
          if (!ControlService(svc.get(), SERVICE_CONTROL_CONTINUE, &ignored)) {
            return WinError("cannot continue service " + name);
          }
        } else {
          TM_RETURN_IF_ERROR(Start(svc, name));
        }
        break;
      case ServiceRun::kStopped:
        if (!ControlService(svc.get(), SERVICE_CONTROL_STOP, &ignored)) {
          const DWORD err = GetLastError();
          if (err == ERROR_DEPENDENT_SERVICES_RUNNING) {
            auto running = RunningDependents(name);
            std::string names;
            for (const std::string& n : running.ok() ? *running : std::vector<std::string>{}) {
              names += (names.empty() ? "" : ", ") + n;
            }
            return Status::Failed("service " + name +
                                  " cannot stop: services that depend on it are running" +
                                  (names.empty() ? std::string() : " (" + names + ")"));
          }
          if (err != ERROR_SERVICE_NOT_ACTIVE) return WinError("cannot stop service " + name, err);
        }
        break;
      case ServiceRun::kPaused:
        if (!ControlService(svc.get(), SERVICE_CONTROL_PAUSE, &ignored)) {
          const DWORD err = GetLastError();
          if (err == ERROR_INVALID_SERVICE_CONTROL) {
            return Status::Unsupported("service " + name + " does not accept pause");
          }
          return WinError("cannot pause service " + name, err);
        }
        break;
      case ServiceRun::kUnknown:
        break;
    }
    return Wait(svc, name, run, timeout);
  }

  Status SetStartType(const std::string& name, StartType start) override {
    DWORD type = 0;
    switch (start) {
      case StartType::kAuto:
      case StartType::kDelayedAuto: type = SERVICE_AUTO_START; break;
      case StartType::kManual: type = SERVICE_DEMAND_START; break;
      case StartType::kDisabled: type = SERVICE_DISABLED; break;
      case StartType::kUnknown:
        return Status::InvalidInput("service " + name +
                                    ": start type must be " + kStartTypeChoices);
    }
    ScHandle svc;
    TM_RETURN_IF_ERROR(OpenService(name, SERVICE_CHANGE_CONFIG, &svc));
    if (!ChangeServiceConfigW(svc.get(), SERVICE_NO_CHANGE, type, SERVICE_NO_CHANGE, nullptr,
                              nullptr, nullptr, nullptr, nullptr, nullptr, nullptr)) {
      return WinError("cannot change the start type of service " + name);
    }
    if (type == SERVICE_AUTO_START) {
      const bool delayed = start == StartType::kDelayedAuto;
      SERVICE_DELAYED_AUTO_START_INFO info{delayed ? TRUE : FALSE};
      if (!ChangeServiceConfig2W(svc.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &info)) {
        const DWORD err = GetLastError();
        if (err != ERROR_INVALID_LEVEL) {
          return WinError("cannot change the delayed start of service " + name, err);
        }
        return SetDelayedInRegistry(name, delayed);
      }
    }
    return Status::Ok();
  }

  // From every service's configured dependencies (not EnumDependentServicesW,
  // which Wine answers with an empty list): the running services that depend
  // on `name` directly or through others, each listed after all that depend
  // on it — the order to stop them. Load-order groups ("+Group") are not followed.
  Result<std::vector<std::string>> RunningDependents(const std::string& name) override {
    {
      ScHandle svc;  // it must exist
      TM_RETURN_IF_ERROR(OpenService(name, SERVICE_QUERY_STATUS, &svc));
    }
    TM_ASSIGN_OR_RETURN(std::vector<Listed> all, Enumerate());
    // lower-case name → the services that depend on it
    std::map<std::string, std::vector<const Listed*>> dependents;
    for (const Listed& l : all) {
      TM_ASSIGN_OR_RETURN(std::vector<std::string> deps, Dependencies(l.name));
      for (const std::string& d : deps) dependents[AsciiLower(d)].push_back(&l);
    }
    std::vector<std::string> order;
    std::set<std::string> seen{AsciiLower(name)};
    std::function<void(const std::string&)> visit = [&](const std::string& n) {
      for (const Listed* d : dependents[AsciiLower(n)]) {
        if (!seen.insert(AsciiLower(d->name)).second) continue;
        visit(d->name);
        if (d->state != SERVICE_STOPPED) order.push_back(d->name);
      }
    };
    visit(name);
    return order;
  }

  Result<std::vector<std::string>> List() override {
    TM_ASSIGN_OR_RETURN(std::vector<Listed> all, Enumerate());
    std::vector<std::string> names;
    for (const Listed& l : all) names.push_back(l.name);
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  struct Listed {
    std::string name;
    DWORD state = SERVICE_STOPPED;
  };

  // Every Win32 service with its current state.
  Result<std::vector<Listed>> Enumerate() {
    TM_RETURN_IF_ERROR(Connect());
    std::vector<Listed> out;
    std::vector<BYTE> buf(64 * 1024);
    DWORD resume = 0;
    for (;;) {
      DWORD needed = 0, count = 0;
      const BOOL ok = EnumServicesStatusExW(scm_->get(), SC_ENUM_PROCESS_INFO, SERVICE_WIN32,
                                            SERVICE_STATE_ALL, buf.data(),
                                            static_cast<DWORD>(buf.size()), &needed, &count,
                                            &resume, nullptr);
      const DWORD err = ok ? ERROR_SUCCESS : GetLastError();
      if (!ok && err != ERROR_MORE_DATA) return WinError("cannot list services", err);
      const auto* entries = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buf.data());
      for (DWORD i = 0; i < count; ++i) {
        out.push_back({Narrow(entries[i].lpServiceName),
                       entries[i].ServiceStatusProcess.dwCurrentState});
      }
      if (ok) break;
      if (needed > buf.size()) buf.resize(needed);
    }
    return out;
  }

  // The services `name` depends on: DependOnService in its registry key,
  // where the SCM keeps them (QueryServiceConfigW's lpDependencies would do
  // on Windows, but Wine returns it empty). A service without the key or the
  // value (just removed) depends on nothing; an unreachable registry is an error.
  Result<std::vector<std::string>> Dependencies(const std::string& name) const {
    auto key = OpenServiceKey(name, KEY_QUERY_VALUE);
    if (!key.ok() && key.status().code() == StatusCode::kNotFound) {
      return std::vector<std::string>{};
    }
    if (!key.ok()) return key.status();
    DWORD type = 0, size = 0;
    LONG rc = RegQueryValueExW(*key, L"DependOnService", nullptr, &type, nullptr, &size);
    std::vector<wchar_t> buf(size / sizeof(wchar_t) + 2, L'\0');
    if (rc == ERROR_SUCCESS && type == REG_MULTI_SZ) {
      rc = RegQueryValueExW(*key, L"DependOnService", nullptr, &type,
                            reinterpret_cast<BYTE*>(buf.data()), &size);
    }
    RegCloseKey(*key);
    std::vector<std::string> deps;
    if (rc != ERROR_SUCCESS || type != REG_MULTI_SZ) return deps;
    buf.resize(size / sizeof(wchar_t) + 2, L'\0');  // ends in two NULs whatever was stored
    buf[buf.size() - 1] = buf[buf.size() - 2] = L'\0';
    for (const wchar_t* d = buf.data(); *d; d += wcslen(d) + 1) {
      if (*d != SC_GROUP_IDENTIFIERW) deps.push_back(Narrow(d));
    }
    return deps;
  }

  // HKLM\SYSTEM\CurrentControlSet\Services\<name>, where the SCM keeps a
  // service's configuration: DependOnService, and DelayedAutostart (read and
  // written directly only where the SCM does not offer
  // SERVICE_CONFIG_DELAYED_AUTO_START_INFO: ERROR_INVALID_LEVEL, Wine).
  Result<HKEY> OpenServiceKey(const std::string& name, REGSAM access) const {
    HKEY hklm = HKEY_LOCAL_MACHINE;
    if (!machine_.empty()) {
      const LONG rc =
          RegConnectRegistryW(Wide("\\\\" + machine_).c_str(), HKEY_LOCAL_MACHINE, &hklm);
      if (rc != ERROR_SUCCESS) {
        return WinError("cannot reach the registry of " + machine_, static_cast<DWORD>(rc));
      }
    }
    HKEY key = nullptr;
    const std::wstring path = Wide("SYSTEM\\CurrentControlSet\\Services\\" + name);
    const LONG rc = RegOpenKeyExW(hklm, path.c_str(), 0, access | KEY_WOW64_64KEY, &key);
    if (hklm != HKEY_LOCAL_MACHINE) RegCloseKey(hklm);
    if (rc == ERROR_FILE_NOT_FOUND) {
      return Status::NotFound("service " + name + " has no registry key");
    }
    if (rc != ERROR_SUCCESS) {
      return WinError("cannot open the registry key of service " + name, static_cast<DWORD>(rc));
    }
    return key;
  }

  Result<bool> DelayedFromRegistry(const std::string& name) const {
    TM_ASSIGN_OR_RETURN(HKEY key, OpenServiceKey(name, KEY_QUERY_VALUE));
    DWORD value = 0, size = sizeof value, type = 0;
    const LONG rc = RegQueryValueExW(key, L"DelayedAutostart", nullptr, &type,
                                     reinterpret_cast<BYTE*>(&value), &size);
    RegCloseKey(key);
    return rc == ERROR_SUCCESS && type == REG_DWORD && value != 0;
  }

  Status SetDelayedInRegistry(const std::string& name, bool delayed) const {
    TM_ASSIGN_OR_RETURN(HKEY key, OpenServiceKey(name, KEY_SET_VALUE));
    const DWORD value = delayed ? 1 : 0;
    const LONG rc = RegSetValueExW(key, L"DelayedAutostart", 0, REG_DWORD,
                                   reinterpret_cast<const BYTE*>(&value), sizeof value);
    RegCloseKey(key);
    if (rc != ERROR_SUCCESS) {
      return WinError("cannot change the delayed start of service " + name,
                      static_cast<DWORD>(rc));
    }
    return Status::Ok();
  }

  // The service `name` opened with `access` into `out`; NotFound when it is
  // not installed.
  Status OpenService(const std::string& name, DWORD access, ScHandle* out) {
    TM_RETURN_IF_ERROR(Connect());
    out->Reset(OpenServiceW(scm_->get(), Wide(name).c_str(), access));
    if (*out) return Status::Ok();
    const DWORD err = GetLastError();
    if (err == ERROR_SERVICE_DOES_NOT_EXIST) {
      return Status::NotFound("service " + name + " is not installed");
    }
    return WinError("cannot open service " + name, err);
  }

  // Opens the service control manager once (connect rights only).
  Status Connect() {
    if (scm_) return Status::Ok();
    const std::wstring machine = Wide(machine_);
    SC_HANDLE h = OpenSCManagerW(machine.empty() ? nullptr : machine.c_str(), nullptr,
                                 SC_MANAGER_CONNECT | SC_MANAGER_ENUMERATE_SERVICE);
    if (!h) {
      return WinError("cannot open the service control manager" +
                      (machine_.empty() ? std::string() : " of " + machine_));
    }
    scm_ = std::make_unique<ScHandle>(h);
    return Status::Ok();
  }

  static Result<SERVICE_STATUS_PROCESS> Query(const ScHandle& svc, const std::string& name) {
    SERVICE_STATUS_PROCESS st{};
    DWORD needed = 0;
    if (!QueryServiceStatusEx(svc.get(), SC_STATUS_PROCESS_INFO, reinterpret_cast<BYTE*>(&st),
                              sizeof(st), &needed)) {
      return WinError("cannot query service " + name);
    }
    return st;
  }

  // Whether an automatic service starts delayed.
  Result<bool> Delayed(const ScHandle& svc, const std::string& name) const {
    SERVICE_DELAYED_AUTO_START_INFO info{};
    DWORD needed = 0;
    if (!QueryServiceConfig2W(svc.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO,
                              reinterpret_cast<BYTE*>(&info), sizeof(info), &needed)) {
      const DWORD err = GetLastError();
      if (err == ERROR_INVALID_LEVEL) return DelayedFromRegistry(name);
      return WinError("cannot read the delayed start of service " + name, err);
    }
    return info.fDelayedAutostart != FALSE;
  }

  static Status Start(const ScHandle& svc, const std::string& name) {
    if (StartServiceW(svc.get(), 0, nullptr)) return Status::Ok();
    const DWORD err = GetLastError();
    if (err == ERROR_SERVICE_ALREADY_RUNNING) return Status::Ok();
    if (err == ERROR_SERVICE_DISABLED) {
      return Status::InvalidInput("service " + name + " is disabled");
    }
    return WinError("cannot start service " + name, err);
  }

  // Polls until the settled state is reached, pacing by the service's wait hint.
  static Status Wait(const ScHandle& svc, const std::string& name, ServiceRun run,
                     milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      TM_ASSIGN_OR_RETURN(SERVICE_STATUS_PROCESS st, Query(svc, name));
      if (Reached(st.dwCurrentState, run)) return Status::Ok();
      if (run != ServiceRun::kStopped && st.dwCurrentState == SERVICE_STOPPED &&
          st.dwWin32ExitCode != NO_ERROR) {
        return Status::Failed("service " + name + " stopped while starting: " +
                              Win32ErrorText(st.dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR
                                            ? st.dwServiceSpecificExitCode
                                            : st.dwWin32ExitCode));
      }
      if (Clock::now() >= deadline) {
        return Status::IoError("service " + name + " did not become " + ServiceRunName(run) +
                               " within " + std::to_string(timeout.count()) +
                               " ms; state reached: " + StateName(st.dwCurrentState));
      }
      const DWORD hint = std::clamp<DWORD>(st.dwWaitHint / 10, 100, 1000);
      std::this_thread::sleep_for(milliseconds(hint));
    }
  }

  std::string machine_;
  std::unique_ptr<ScHandle> scm_;
};

}  // namespace

std::unique_ptr<ServiceBackend> MakeWindowsScmBackend(std::string machine) {
  return std::make_unique<WindowsScmBackend>(std::move(machine));
}

}  // namespace tidemark::targets

#endif  // _WIN32
