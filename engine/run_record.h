// RunRecord: a run's plan and environment rebuilt from the journal alone
// (the texts are blobs named in runStarted; parameters as recorded), so that
// resume and rollback need nothing but the journal.
#pragma once

#include <memory>
#include <string>

#include "engine/environment.h"
#include "engine/plan.h"
#include "engine/state.h"
#include "store/event_log.h"

namespace tidemark::engine {

struct RunRecord {
  std::string run_id;
  RunStarted started;
  Environment env;
  std::optional<Plan> plan;  // absent for rollback runs
};

// Loads the record of `run_id`. Corruption when a blob it names is missing.
Result<std::unique_ptr<RunRecord>> LoadRunRecord(const store::EventLog& log, const std::string& run_id);

// The environment a command acts on: the file at `env_path` when given, else
// the one recorded by the journal's newest run (so rollback and drift work
// from the journal alone). InvalidInput when neither exists.
Result<Environment> EnvironmentFor(const store::EventLog& log, const std::string& env_path);

// The newest run of the journal. NotFound when there is none.
Result<std::string> NewestRun(const store::EventLog& log);
// Ok when `run_id` names a run of the journal (one that has its runStarted
// event); NotFound (exit 2) otherwise.
Status RequireRun(const store::EventLog& log, const std::string& run_id);
// Runs that never finished, oldest first.
Result<std::vector<std::string>> UnfinishedRuns(const store::EventLog& log);
// The finished rollback run, started after `run`, that rolled back to its
// start or a point before it (so undid all of it), or "" when none did.
Result<std::string> RolledBackBy(const store::EventLog& log, const RunState& run);

}  // namespace tidemark::engine
