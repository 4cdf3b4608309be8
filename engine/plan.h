// Plan: an upgrade as ordered steps of actions (plans/FORMAT.md), parsed from
// YAML, parameters bound, and validated against an environment before
// anything runs. Errors are InvalidInput at file:line:column.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/environment.h"
#include "store/event.h"
#include "store/status.h"

namespace tidemark::engine {

enum class WatchKind { kRegistry, kTable, kFolder, kServices };

struct WatchItem {
  WatchKind kind = WatchKind::kRegistry;
  std::string host;       // registry, folder, services
  std::string database;   // table
  std::string path;       // registry key, table name, folder path
  std::vector<std::string> names;  // services (empty = all)
};

struct Action {
  std::string kind;       // "registry.set", "sql.replace", "exec", ...
  std::string where;      // file:line:column of the action
  bool secret = false;
  // Addressing (which fields are set depends on the kind).
  std::string host, key, name, database, table, column, path;
  std::vector<KeyPart> sql_key;      // sql.update/sql.delete key, assert key
  std::vector<RowField> fields;      // sql.update set / sql.insert row
  std::vector<KeyPart> where_parts;  // sql.replace optional filter
  Value value;                       // registry.set / assert equals / sql.replace from
  Value to;                          // sql.replace to
  std::string text_from, text_to;    // file.replace
  std::string content;               // file.write
  bool recursive = false;            // registry.delete_key
  ServiceRun run = ServiceRun::kUnknown;     // service.stop/start/pause, assert state
  StartType start = StartType::kUnknown;     // service.set_start_type
  std::vector<std::string> databases;        // checkpoint
  std::vector<std::string> command;          // exec argv (or one string with shell)
  bool shell = false;
  int timeout_seconds = 3600;
  std::string prompt;                        // manual
  // assert
  std::optional<Value> equals;
  bool expect_absent = false;
  std::string contains;

  // The resource an assert or single-resource action is about.
  std::optional<Resource> TargetResource() const;
};

struct Step {
  std::string id;
  std::string title;
  std::string where;
  std::vector<Action> actions;
  std::string ActionKinds() const;  // "registry.set, service.stop"
};

struct Plan {
  std::string name;
  std::string description;
  std::filesystem::path path;
  std::string text;                  // exact file content (recorded as a blob)
  std::vector<std::pair<std::string, std::string>> parameters;  // bound, in file order
  std::vector<std::string> secret_values;  // values of secret parameters
  std::vector<WatchItem> watch;
  std::vector<Step> steps;

  const Step* FindStep(const std::string& id) const;
};

// Loads a plan, binds parameters (plan default < env parameters < overrides)
// and validates it against `env` (every host/database it names must exist
// with the facility the action needs). An environment with an empty path
// means "none given": hosts and databases are then not checked.
Result<Plan> LoadPlan(const std::filesystem::path& path, const Environment& env,
                      const std::map<std::string, std::string>& overrides);
Result<Plan> ParsePlan(const std::string& text, const std::filesystem::path& path,
                       const Environment& env,
                       const std::map<std::string, std::string>& overrides);

// Parses a registry type name ("REG_SZ", "REG_DWORD", ...) into its number.
std::optional<uint32_t> ParseRegType(const std::string& name);

}  // namespace tidemark::engine
