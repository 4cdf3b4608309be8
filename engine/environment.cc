// Environment file parsing and validation.
#include "engine/environment.h"

#include <fstream>
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
    return fp.is_absolute() ? fp : base / fp;
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
      TM_ASSIGN_OR_RETURN(std::string reg, ctx.String(h, "registry", false));
      TM_ASSIGN_OR_RETURN(std::string files, ctx.String(h, "files", false));
      if (!reg.empty()) host.registry = resolve(reg);
      if (!files.empty()) host.files = resolve(files);
      if (const YAML::Node svc = h["services"]) {
        TM_RETURN_IF_ERROR(ctx.OnlyKeys(svc, {"backend", "dir"}, "services of " + host.name));
        TM_ASSIGN_OR_RETURN(host.service_backend, ctx.String(svc, "backend", true));
        if (host.service_backend == "process") {
          TM_ASSIGN_OR_RETURN(std::string dir, ctx.String(svc, "dir", true));
          host.service_dir = resolve(dir);
        } else if (host.service_backend != "systemd") {
          return ctx.Error(svc["backend"], "unknown service backend '" + host.service_backend +
                                               "' (expected process or systemd)");
        }
      }
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
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(kv.second, {"connection", "backups", "backup_timeout"},
                                      "database " + db.name));
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
