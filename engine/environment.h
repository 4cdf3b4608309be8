// Environment: how to reach each host's registry, files and services and each
// database (plans/FORMAT.md). Parsed from YAML with file:line:column errors.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/targets/backends.h"
#include "store/status.h"

namespace tidemark::engine {

struct HostConfig {
  std::string name;                   // spelling from the file
  targets::RegistryBackend registry;  // NoBackend = no registry on this host
  targets::FilesBackend files;
  targets::ServicesBackend services;
};

struct DatabaseConfig {
  std::string name;
  std::string connection;            // ODBC connection string, ${env_dir} expanded
  std::filesystem::path backups;     // folder for checkpoint backups
  // `backup_timeout` (seconds): each backup/restore program is killed after
  // this long; nullopt: the backup driver's default (snapshots/db_backup.h).
  std::optional<std::chrono::seconds> backup_timeout;
  // `create: true`: a file database (SQLite) that does not exist yet may be
  // created by connecting to it; without it a missing file is an error.
  bool create = false;
};

struct Environment {
  std::string name;
  std::filesystem::path path;
  std::string text;                  // exact file content (recorded as a blob)
  std::map<std::string, HostConfig> hosts;        // key: lower-cased host name
  std::map<std::string, DatabaseConfig> databases;
  std::vector<std::pair<std::string, std::string>> parameters;

  const HostConfig* FindHost(const std::string& host_name) const;
  const DatabaseConfig* FindDatabase(const std::string& db_name) const;
};

// Loads and validates an environment file. InvalidInput at file:line:column
// for unknown fields, wrong types or a missing required field.
Result<Environment> LoadEnvironment(const std::filesystem::path& path);
Result<Environment> ParseEnvironment(const std::string& text, const std::filesystem::path& path);

}  // namespace tidemark::engine
