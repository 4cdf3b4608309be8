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

#include "engine/actions/action.h"
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

struct Step {
  std::string id;
  std::string title;
  std::string where;
  std::vector<Action> actions;       // each knows its position (step index, action index)
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

}  // namespace tidemark::engine
