// Building the adapter of each backend choice (backends.h).
#include "engine/targets/backends.h"

#ifndef _WIN32
#include "engine/targets/process_service.h"
#include "engine/targets/systemd_service.h"
#endif

namespace tidemark::targets {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

Status NotInThisBuild(const std::string& host, const std::string& what, const char* where) {
  return Status::InvalidInput("host '" + host + "': the " + what + " backend needs " + where +
                              "; this tidemark was built for another system");
}

Status NoneFor(const std::string& host, const char* facility) {
  return Status::InvalidInput("host '" + host + "' has no " + std::string(facility) +
                              " in the environment");
}

std::string Machine(const std::string& machine) {
  return machine.empty() ? std::string() : " \\\\" + machine;
}

}  // namespace

std::string Describe(const RegistryBackend& b) {
  return std::visit(Overloaded{[](const NoBackend&) { return std::string("none"); },
                               [](const HiveRegistry& h) { return "hive " + h.file.string(); },
                               [](const NativeRegistry& n) { return "native" + Machine(n.machine); }},
                    b);
}

std::string Describe(const FilesBackend& b) {
  return std::visit(Overloaded{[](const NoBackend&) { return std::string("none"); },
                               [](const MappedFiles& m) { return "root " + m.root.string(); },
                               [](const NativeFiles& n) { return "native" + Machine(n.machine); }},
                    b);
}

std::string Describe(const ServicesBackend& b) {
  return std::visit(Overloaded{[](const NoBackend&) { return std::string("none"); },
                               [](const ProcessServices& p) { return "process " + p.dir.string(); },
                               [](const SystemdServices&) { return std::string("systemd"); },
                               [](const ScmServices& s) { return "scm" + Machine(s.machine); }},
                    b);
}

Result<std::unique_ptr<RegistryTarget>> MakeRegistryTarget(const std::string& host,
                                                           const RegistryBackend& b) {
  using Made = Result<std::unique_ptr<RegistryTarget>>;
  return std::visit(
      Overloaded{[&](const NoBackend&) -> Made { return NoneFor(host, "registry"); },
                 [&](const HiveRegistry& h) -> Made {
                   // A hive that is not there is a wrong path, not an empty
                   // registry: writing would make a new file holding only
                   // the plan's values.
                   std::error_code ec;
                   if (!h.create && !std::filesystem::exists(h.file, ec)) {
                     return Status::InvalidInput(
                         "host " + host + ": the hive file " + h.file.string() +
                         " does not exist (a wrong path? `registry: {hive: FILE, create: true}` "
                         "lets tidemark create it)");
                   }
                   return std::unique_ptr<RegistryTarget>(
                       std::make_unique<HiveRegistryTarget>(host, h.file));
                 },
                 [&](const NativeRegistry& n) -> Made {
#ifdef _WIN32
                   return MakeNativeRegistryTarget(host, n.machine.empty() ? host : n.machine);
#else
                   (void)n;
                   return NotInThisBuild(host, "native registry", "tidemark.exe on Windows");
#endif
                 }},
      b);
}

Result<std::unique_ptr<FileTarget>> MakeFileTarget(const std::string& host,
                                                   const FilesBackend& b) {
  using Made = Result<std::unique_ptr<FileTarget>>;
  return std::visit(Overloaded{[&](const NoBackend&) -> Made { return NoneFor(host, "files"); },
                               [&](const MappedFiles& m) -> Made {
                                 return std::make_unique<FileTarget>(host, m.root);
                               },
                               [&](const NativeFiles& n) -> Made {
#ifdef _WIN32
                                 const std::string machine = n.machine.empty() ? host : n.machine;
                                 return std::make_unique<FileTarget>(FileTarget::Native(
                                     host, IsThisComputer(machine) ? std::string() : machine));
#else
                                 (void)n;
                                 return NotInThisBuild(host, "native files",
                                                       "tidemark.exe on Windows");
#endif
                               }},
                    b);
}

Result<std::unique_ptr<ServiceTarget>> MakeServiceTarget(const std::string& host,
                                                         const ServicesBackend& b) {
  using Made = Result<std::unique_ptr<ServiceBackend>>;
  Result<std::unique_ptr<ServiceBackend>> backend = std::visit(
      Overloaded{[&](const NoBackend&) -> Made { return NoneFor(host, "services"); },
                 [&](const ProcessServices& p) -> Made {
#ifndef _WIN32
                   return std::unique_ptr<ServiceBackend>(
                       std::make_unique<ProcessServiceBackend>(p.dir));
#else
                   (void)p;
                   return NotInThisBuild(host, "process service", "Linux");
#endif
                 },
                 [&](const SystemdServices&) -> Made {
#ifndef _WIN32
                   return std::unique_ptr<ServiceBackend>(std::make_unique<SystemdServiceBackend>());
#else
                   return NotInThisBuild(host, "systemd service", "Linux");
#endif
                 },
                 [&](const ScmServices& s) -> Made {
#ifdef _WIN32
                   return MakeWindowsScmBackend(s.machine == "." ? std::string()
                                                 : s.machine.empty() ? host : s.machine);
#else
                   (void)s;
                   return NotInThisBuild(host, "scm service", "tidemark.exe on Windows");
#endif
                 }},
      b);
  if (!backend.ok()) return backend.status();
  return std::make_unique<ServiceTarget>(host, std::move(backend).value());
}

}  // namespace tidemark::targets
