// Environment file parsing and validation.
#include "engine/environment.h"

#include <fstream>
#include <functional>
#include <sstream>

#include "engine/yaml_util.h"
#include "store/unicode.h"

namespace tidemark::engine {
namespace {

std::string ReplaceAllText(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

using Resolve = std::function<std::filesystem::path(const std::string&)>;

// `registry: FILE` | `registry: native` | `registry: {hive: FILE}` | `registry: {native: MACHINE}`.
Result<targets::RegistryBackend> ParseRegistry(const YamlContext& ctx, const YAML::Node& n,
                                               const Resolve& resolve) {
  if (!n) return targets::RegistryBackend{};
  if (n.IsScalar()) {
    if (n.Scalar() == "native") return targets::RegistryBackend{targets::NativeRegistry{}};
    if (n.Scalar().empty()) return ctx.Error(n, "'registry' needs a hive file or native");
    return targets::RegistryBackend{targets::HiveRegistry{resolve(n.Scalar())}};
  }
  if (!n.IsMap() || n.size() != (n["create"] ? 2u : 1u) || (n["create"] && !n["hive"])) {
    return ctx.Error(n, "'registry' must be a hive file, native, {hive: FILE[, create: true]} or "
                        "{native: MACHINE}");
  }
  TM_RETURN_IF_ERROR(ctx.OnlyKeys(n, {"hive", "native", "create"}, "registry"));
  if (n["hive"]) {
    TM_ASSIGN_OR_RETURN(std::string file, ctx.String(n, "hive", true));
    TM_ASSIGN_OR_RETURN(bool create, ctx.Bool(n, "create", false));
    return targets::RegistryBackend{targets::HiveRegistry{resolve(file), create}};
  }
  TM_ASSIGN_OR_RETURN(std::string machine, ctx.String(n, "native", false));
  return targets::RegistryBackend{targets::NativeRegistry{machine}};
}

// `files: DIR` | `files: native` | `files: {root: DIR}` | `files: {native: MACHINE}`
// (a root folder named "native" is written ./native or {root: native}).
Result<targets::FilesBackend> ParseFiles(const YamlContext& ctx, const YAML::Node& n,
                                         const Resolve& resolve) {
  if (!n) return targets::FilesBackend{};
  if (n.IsScalar()) {
    if (n.Scalar() == "native") return targets::FilesBackend{targets::NativeFiles{}};
    if (n.Scalar().empty()) return ctx.Error(n, "'files' needs a root folder or native");
    return targets::FilesBackend{targets::MappedFiles{resolve(n.Scalar())}};
  }
  if (!n.IsMap()) {
    return ctx.Error(n, "'files' must be a root folder, native, {root: DIR} or {native: MACHINE}");
  }
  TM_RETURN_IF_ERROR(ctx.OnlyKeys(n, {"root", "native"}, "files"));
  if (n["native"]) {
    if (n["root"]) return ctx.Error(n, "'files' takes either root or native, not both");
    TM_ASSIGN_OR_RETURN(std::string machine, ctx.String(n, "native", false));
    return targets::FilesBackend{targets::NativeFiles{machine}};
  }
  TM_ASSIGN_OR_RETURN(std::string root, ctx.String(n, "root", true));
  return targets::FilesBackend{targets::MappedFiles{resolve(root)}};
}

// `services: {backend: process, dir: DIR}` | `{backend: systemd}` | `{backend: scm[, machine: M]}`.
Result<targets::ServicesBackend> ParseServices(const YamlContext& ctx, const YAML::Node& svc,
                                               const std::string& host, const Resolve& resolve) {
  if (!svc) return targets::ServicesBackend{};
  if (!svc.IsMap()) return ctx.Error(svc, "'services' must be a mapping with a backend");
  TM_RETURN_IF_ERROR(ctx.OnlyKeys(svc, {"backend", "dir", "machine"}, "services of " + host));
  TM_ASSIGN_OR_RETURN(std::string backend, ctx.String(svc, "backend", true));
  auto only = [&](const char* allowed) -> Status {
    for (const char* key : {"dir", "machine"}) {
      if (svc[key] && std::string(key) != allowed) {
        return ctx.Error(svc[key], "'" + std::string(key) + "' does not apply to the " + backend +
                                       " service backend");
      }
    }
    return Status::Ok();
  };
  if (backend == "process") {
    TM_RETURN_IF_ERROR(only("dir"));
    TM_ASSIGN_OR_RETURN(std::string dir, ctx.String(svc, "dir", true));
    return targets::ServicesBackend{targets::ProcessServices{resolve(dir)}};
  }
  if (backend == "systemd") {
    TM_RETURN_IF_ERROR(only(""));
    return targets::ServicesBackend{targets::SystemdServices{}};
  }
  if (backend == "scm") {
    TM_RETURN_IF_ERROR(only("machine"));
    TM_ASSIGN_OR_RETURN(std::string machine, ctx.String(svc, "machine", false));
    return targets::ServicesBackend{targets::ScmServices{machine}};
  }
  return ctx.Error(svc["backend"], "unknown service backend '" + backend +
                                       "' (expected process, systemd or scm)");
}

// A database's `backup_timeout`: whole seconds, 1 to 604800 (a week).
Result<std::optional<std::chrono::seconds>> BackupTimeout(const YamlContext& ctx,
                                                          const YAML::Node& db) {
  const YAML::Node v = db["backup_timeout"];
  if (!v) return std::optional<std::chrono::seconds>();
  const std::string text = v.IsScalar() ? v.Scalar() : "";
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stol(text) < 1 || std::stol(text) > 604800) {
    return ctx.Error(v, "'backup_timeout' must be a number of seconds from 1 to 604800");
  }
  return std::optional<std::chrono::seconds>(std::stol(text));
}

Result<Environment> Parse(const std::string& text, const std::filesystem::path& path) {
  YamlContext ctx(path.string());
  TM_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, path.string()));
  if (!root.IsMap()) return ctx.Error(root, "an environment file must be a mapping");
  TM_RETURN_IF_ERROR(ctx.OnlyKeys(root, {"name", "hosts", "databases", "parameters"},
                                  "the environment"));
  Environment env;
  env.path = path;
  env.text = text;
  const std::filesystem::path base =
      path.has_parent_path() ? std::filesystem::absolute(path).parent_path()
                             : std::filesystem::current_path();
  auto resolve = [&](const std::string& p) -> std::filesystem::path {
    std::filesystem::path fp(p);
    return (fp.is_absolute() ? fp : base / fp).lexically_normal();  // one separator on Windows
  };
  TM_ASSIGN_OR_RETURN(env.name, ctx.String(root, "name", false));
  if (const YAML::Node params = root["parameters"]) {
    if (!params.IsMap()) return ctx.Error(params, "'parameters' must be a mapping");
    for (const auto& kv : params) {
      if (!kv.second.IsScalar()) return ctx.Error(kv.second, "a parameter value must be text");
      env.parameters.emplace_back(kv.first.Scalar(), kv.second.Scalar());
    }
  }
  if (const YAML::Node hosts = root["hosts"]) {
    if (!hosts.IsMap()) return ctx.Error(hosts, "'hosts' must be a mapping of host names");
    for (const auto& kv : hosts) {
      const YAML::Node h = kv.second;
      HostConfig host;
      host.name = kv.first.Scalar();
      if (host.name.empty()) return ctx.Error(kv.first, "empty host name");
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(h, {"registry", "files", "services"}, "host " + host.name));
      TM_ASSIGN_OR_RETURN(host.registry, ParseRegistry(ctx, h["registry"], resolve));
      TM_ASSIGN_OR_RETURN(host.files, ParseFiles(ctx, h["files"], resolve));
      TM_ASSIGN_OR_RETURN(host.services, ParseServices(ctx, h["services"], host.name, resolve));
      const std::string key = AsciiLower(host.name);
      if (env.hosts.count(key)) return ctx.Error(kv.first, "host " + host.name + " is listed twice");
      env.hosts[key] = std::move(host);
    }
  }
  if (const YAML::Node dbs = root["databases"]) {
    if (!dbs.IsMap()) return ctx.Error(dbs, "'databases' must be a mapping of connection names");
    for (const auto& kv : dbs) {
      DatabaseConfig db;
      db.name = kv.first.Scalar();
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(kv.second, {"connection", "backups", "backup_timeout", "create"},
                                      "database " + db.name));
      TM_ASSIGN_OR_RETURN(db.create, ctx.Bool(kv.second, "create", false));
      TM_ASSIGN_OR_RETURN(std::string conn, ctx.String(kv.second, "connection", true));
      db.connection = ReplaceAllText(conn, "${env_dir}", base.string());
      TM_ASSIGN_OR_RETURN(std::string backups, ctx.String(kv.second, "backups", false));
      db.backups = resolve(backups.empty() ? "backups" : backups);
      TM_ASSIGN_OR_RETURN(db.backup_timeout, BackupTimeout(ctx, kv.second));
      env.databases[db.name] = std::move(db);
    }
  }
  return env;
}

}  // namespace

const HostConfig* Environment::FindHost(const std::string& host_name) const {
  auto it = hosts.find(AsciiLower(host_name));
  return it == hosts.end() ? nullptr : &it->second;
}

const DatabaseConfig* Environment::FindDatabase(const std::string& db_name) const {
  auto it = databases.find(db_name);
  return it == databases.end() ? nullptr : &it->second;
}

Result<Environment> ParseEnvironment(const std::string& text, const std::filesystem::path& path) {
  try {
    return Parse(text, path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(path.string() + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Environment> LoadEnvironment(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput("cannot read environment file " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParseEnvironment(ss.str(), path);
}

}  // namespace tidemark::engine
