// SystemdServiceBackend: systemctl run through the process runner (argument
// vector, stdout and stderr captured, a deadline); state read with
// `systemctl show -p LoadState,ActiveState,UnitFileState,MainPID`.
#include "engine/targets/systemd_service.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <thread>

#include "engine/process/process_runner.h"
#include "store/unicode.h"

namespace tidemark::targets {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kCommandTimeout(30000);
constexpr milliseconds kPoll(50);

// State letter of /proc/<pid>/stat, 0 when unknown.
char ProcState(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return 0;
  return text[paren + 2];
}

std::map<std::string, std::string> ParseProperties(const std::string& text) {
  std::map<std::string, std::string> props;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) props[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return props;
}

StartType StartTypeOf(const std::string& unit_file_state) {
  if (unit_file_state == "enabled" || unit_file_state == "enabled-runtime") {
    return StartType::kAuto;
  }
  if (unit_file_state == "masked" || unit_file_state == "masked-runtime") {
    return StartType::kDisabled;
  }
  return StartType::kManual;  // disabled, static, indirect, generated, transient, ...
}

bool HasUnitSuffix(const std::string& name) {
  static const char* kSuffixes[] = {".service", ".socket", ".target", ".timer", ".mount"};
  for (const char* s : kSuffixes) {
    const std::string_view sv(s);
    if (name.size() > sv.size() && name.compare(name.size() - sv.size(), sv.size(), sv) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

SystemdServiceBackend::SystemdServiceBackend(bool user_manager, std::string systemctl)
    : user_manager_(user_manager), systemctl_(std::move(systemctl)) {}

Result<SystemdServiceBackend::Output> SystemdServiceBackend::Systemctl(
    const std::vector<std::string>& args, milliseconds timeout) const {
  std::vector<std::string> argv = {systemctl_};
  if (user_manager_) argv.push_back("--user");
  argv.push_back("--no-pager");
  argv.insert(argv.end(), args.begin(), args.end());
  process::RunOptions options;
  options.capture = true;
  options.timeout = timeout;
  options.kill_grace = milliseconds(1000);
  // Bounded by `timeout`, and killing the client would not cancel systemd's
  // job: let it finish, the executor stops right after the action.
  options.stop_on_interrupt = false;
  const process::Command command = process::Command::Argv(std::move(argv));
  TM_ASSIGN_OR_RETURN(process::ExitStatus status, process::Run(command, options));
  if (status.timed_out) {
    return Status::IoError(command.Display() + " did not finish within " +
                           std::to_string(timeout.count()) + " ms");
  }
  if (status.signal != 0) return Status::IoError(command.Display() + " " + status.Describe());
  return Output{status.exit_code, std::move(status.output)};
}

Status SystemdServiceBackend::Must(const std::vector<std::string>& args,
                                   milliseconds timeout) const {
  TM_ASSIGN_OR_RETURN(Output o, Systemctl(args, timeout));
  if (o.exit_code != 0) {
    std::string command = "systemctl";
    for (const std::string& a : args) command += " " + a;
    while (!o.text.empty() && (o.text.back() == '\n' || o.text.back() == ' ')) o.text.pop_back();
    return Status::Failed(command + " failed (exit " + std::to_string(o.exit_code) + "): " +
                          o.text);
  }
  return Status::Ok();
}

Result<std::string> SystemdServiceBackend::Unit(const std::string& name) {
  if (name.empty() || name[0] == '-' ||
      name.find_first_of(std::string("/\0 \t\n", 5)) != std::string::npos) {
    return Status::InvalidInput("bad service name '" + name + "'");
  }
  const std::string unit = HasUnitSuffix(name) ? name : name + ".service";
  TM_ASSIGN_OR_RETURN(Output o, Systemctl({"show", "--property=LoadState", "--", unit},
                                          kCommandTimeout));
  if (ParseProperties(o.text)["LoadState"] != "not-found") return unit;
  // Windows looks names up case-insensitively: try the installed units.
  TM_ASSIGN_OR_RETURN(std::vector<std::string> all, List());
  for (const std::string& n : all) {
    if (EqualsIgnoreCase(n + ".service", unit)) return n + ".service";
  }
  return unit;
}

Result<Value> SystemdServiceBackend::Read(const std::string& name) {
  TM_ASSIGN_OR_RETURN(std::string unit, Unit(name));
  TM_ASSIGN_OR_RETURN(
      Output o, Systemctl({"show", "--property=LoadState,ActiveState,UnitFileState,MainPID", "--",
                           unit},
                          kCommandTimeout));
  if (o.exit_code != 0) {
    return Status::Failed("systemctl show " + unit + " failed (exit " +
                          std::to_string(o.exit_code) + "): " + o.text);
  }
  auto props = ParseProperties(o.text);
  if (props["LoadState"] == "not-found" || props["LoadState"].empty()) return Value::Absent();
  const StartType start = StartTypeOf(props["UnitFileState"]);
  const std::string& active = props["ActiveState"];
  ServiceRun run = ServiceRun::kStopped;
  if (active == "active" || active == "reloading" || active == "activating" ||
      active == "deactivating") {
    run = ServiceRun::kRunning;
    long main_pid = 0;
    try {
      main_pid = std::stol(props["MainPID"]);
    } catch (...) {
      main_pid = 0;
    }
    if (main_pid > 0) {
      const char st = ProcState(main_pid);
      if (st == 'T' || st == 't') run = ServiceRun::kPaused;
    }
  }
  return Value::Service(run, start);
}

Status SystemdServiceBackend::SetRun(const std::string& name, ServiceRun run,
                                     milliseconds timeout) {
  if (run == ServiceRun::kUnknown) {
    return Status::InvalidInput("service " + name + ": run state must be running, stopped or paused");
  }
  TM_ASSIGN_OR_RETURN(std::string unit, Unit(name));
  TM_ASSIGN_OR_RETURN(Value current, Read(unit));
  if (current.absent()) return Status::NotFound("service " + name + " is not installed");
  if (current.run == run) return Status::Ok();
  const milliseconds command_timeout = timeout + milliseconds(5000);
  switch (run) {
    case ServiceRun::kRunning:
      if (current.run == ServiceRun::kPaused) {
        TM_RETURN_IF_ERROR(Must({"kill", "--signal=SIGCONT", "--", unit}, command_timeout));
      } else {
        if (current.start == StartType::kDisabled) {
          return Status::InvalidInput("service " + name + " is disabled");
        }
        TM_RETURN_IF_ERROR(Must({"start", "--", unit}, command_timeout));
      }
      break;
    case ServiceRun::kStopped:
      TM_RETURN_IF_ERROR(Must({"stop", "--", unit}, command_timeout));
      break;
    case ServiceRun::kPaused:
      if (current.run == ServiceRun::kStopped) {
        if (current.start == StartType::kDisabled) {
          return Status::InvalidInput("service " + name + " is disabled");
        }
        TM_RETURN_IF_ERROR(Must({"start", "--", unit}, command_timeout));
      }
      TM_RETURN_IF_ERROR(Must({"kill", "--signal=SIGSTOP", "--", unit}, command_timeout));
      break;
    case ServiceRun::kUnknown:
      break;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    TM_ASSIGN_OR_RETURN(Value now, Read(unit));
    if (now.run == run) return Status::Ok();
    if (Clock::now() >= deadline) {
      return Status::IoError("service " + name + " did not become " + ServiceRunName(run) +
                             " within " + std::to_string(timeout.count()) +
                             " ms; state reached: " + now.ToDisplay());
    }
    std::this_thread::sleep_for(kPoll);
  }
}

Status SystemdServiceBackend::SetStartType(const std::string& name, StartType start) {
  TM_ASSIGN_OR_RETURN(std::string unit, Unit(name));
  TM_ASSIGN_OR_RETURN(Value current, Read(unit));
  if (current.absent()) return Status::NotFound("service " + name + " is not installed");
  switch (start) {
    case StartType::kAuto:
      if (current.start == StartType::kDisabled) {
        TM_RETURN_IF_ERROR(Must({"unmask", "--", unit}, kCommandTimeout));
      }
      return Must({"enable", "--", unit}, kCommandTimeout);
    case StartType::kManual:
      if (current.start == StartType::kDisabled) {
        TM_RETURN_IF_ERROR(Must({"unmask", "--", unit}, kCommandTimeout));
      }
      return Must({"disable", "--", unit}, kCommandTimeout);
    case StartType::kDisabled:
      TM_RETURN_IF_ERROR(Must({"disable", "--", unit}, kCommandTimeout));
      return Must({"mask", "--", unit}, kCommandTimeout);
    case StartType::kDelayedAuto:
      return Status::InvalidInput("service " + name +
                                  ": delayed-auto is a Windows start type; systemd has none");
    case StartType::kUnknown:
      break;
  }
  return Status::InvalidInput("service " + name + ": start type must be auto, manual or disabled");
}

Result<std::vector<std::string>> SystemdServiceBackend::RunningDependents(const std::string& name) {
  TM_ASSIGN_OR_RETURN(std::string unit, Unit(name));
  std::vector<std::string> order;  // dependents first
  std::vector<std::string> seen{unit};
  // Depth first: a unit's own dependents go before it.
  std::function<Status(const std::string&)> visit = [&](const std::string& u) -> Status {
    TM_ASSIGN_OR_RETURN(Output o, Systemctl({"show", "--property=RequiredBy,BoundBy,ConsistsOf",
                                             "--", u},
                                            kCommandTimeout));
    for (auto& [prop, list] : ParseProperties(o.text)) {
      std::istringstream words(list);
      for (std::string dep; words >> dep;) {
        if (std::find(seen.begin(), seen.end(), dep) != seen.end()) continue;
        seen.push_back(dep);
        TM_RETURN_IF_ERROR(visit(dep));
        TM_ASSIGN_OR_RETURN(Value v, Read(dep));
        if (v.run == ServiceRun::kRunning || v.run == ServiceRun::kPaused) order.push_back(dep);
      }
    }
    return Status::Ok();
  };
  TM_RETURN_IF_ERROR(visit(unit));
  return order;
}

Result<std::vector<std::string>> SystemdServiceBackend::List() {
  TM_ASSIGN_OR_RETURN(Output o, Systemctl({"list-unit-files", "--type=service", "--no-legend",
                                           "--plain"},
                                          kCommandTimeout));
  if (o.exit_code != 0) {
    return Status::Failed("systemctl list-unit-files failed (exit " +
                          std::to_string(o.exit_code) + "): " + o.text);
  }
  std::vector<std::string> names;
  std::istringstream in(o.text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string unit;
    if (!(fields >> unit)) continue;
    const std::string suffix = ".service";
    if (unit.size() <= suffix.size() ||
        unit.compare(unit.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::string base = unit.substr(0, unit.size() - suffix.size());
    if (base.empty() || base.back() == '@') continue;  // template
    names.push_back(std::move(base));
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace tidemark::targets
