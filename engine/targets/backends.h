// Backends: which implementation serves a host's registry, files and
// services, as the environment file names it, and the one place that builds
// the adapter for each choice. A backend this build cannot offer (native
// registry, files or scm on Linux, process or systemd on Windows) is InvalidInput.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <variant>

#include "engine/targets/file_target.h"
#include "engine/targets/registry_target.h"
#include "engine/targets/service_target.h"
#include "store/status.h"

namespace tidemark::targets {

struct NoBackend {};  // the environment gives this host no such facility

struct HiveRegistry {    // `registry: FILE` or `registry: {hive: FILE[, create: true]}`
  std::filesystem::path file;
  bool create = false;   // the file may not exist yet: tidemark creates it
};
struct NativeRegistry {  // `registry: native` or `registry: {native: MACHINE}`
  std::string machine;   // "" = the host's own name (this computer when it is)
};
using RegistryBackend = std::variant<NoBackend, HiveRegistry, NativeRegistry>;

struct MappedFiles {     // `files: DIR` or `files: {root: DIR}`
  std::filesystem::path root;
};
struct NativeFiles {     // `files: native` or `files: {native: MACHINE}`
  std::string machine;   // "" = the host's own name; this computer's drives when it is
};
using FilesBackend = std::variant<NoBackend, MappedFiles, NativeFiles>;

struct ProcessServices {  // `services: {backend: process, dir: DIR}` (sandbox)
  std::filesystem::path dir;
};
struct SystemdServices {};  // `services: {backend: systemd}`
struct ScmServices {        // `services: {backend: scm[, machine: NAME]}`
  std::string machine;      // "" = the host's own name
};
using ServicesBackend = std::variant<NoBackend, ProcessServices, SystemdServices, ScmServices>;

template <typename Variant>
bool HasBackend(const Variant& v) {
  return !std::holds_alternative<NoBackend>(v);
}

// "hive C:/site/S1.reg", "native", "native \\SERVER2", "root /srv/S1",
// "process /srv/svc", "systemd", "scm": for env check and messages.
std::string Describe(const RegistryBackend& b);
std::string Describe(const FilesBackend& b);
std::string Describe(const ServicesBackend& b);

// The adapter for host `host`. InvalidInput naming the host and backend when
// there is none or this build cannot offer it.
Result<std::unique_ptr<RegistryTarget>> MakeRegistryTarget(const std::string& host,
                                                           const RegistryBackend& b);
Result<std::unique_ptr<FileTarget>> MakeFileTarget(const std::string& host, const FilesBackend& b);
Result<std::unique_ptr<ServiceTarget>> MakeServiceTarget(const std::string& host,
                                                         const ServicesBackend& b);

}  // namespace tidemark::targets
