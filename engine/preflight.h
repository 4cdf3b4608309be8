// Preflight: before the first change of a run, reach everything its plan
// will touch — each host's registry (a hive file is read, so parsed, whole),
// files and service manager, each database (connected), every watched
// resource (scanned) — so that a broken environment is found with nothing
// changed, not half-way with services already stopped.
#pragma once

#include <string>
#include <vector>

#include "engine/plan.h"
#include "engine/target_set.h"
#include "store/status.h"

namespace tidemark::engine {

struct PreflightProblem {
  // "registry", "files", "services", "database", "watch"; "registry key"
  // for a key a registry.set needs that does not exist
  std::string what;
  std::string name;     // the host or database
  std::string message;  // why it cannot be reached or read
};

// Every target of `plan` that cannot be reached, each once, in plan order.
std::vector<PreflightProblem> Preflight(TargetSet& targets, const Plan& plan);

// Ok when there are none; else InvalidInput listing them, saying nothing was changed.
Status PreflightStatus(const std::vector<PreflightProblem>& problems);

}  // namespace tidemark::engine
