// Rebuilding a run's plan and environment from journal blobs.
#include "engine/run_record.h"

#include <algorithm>

#include "engine/fold.h"
#include "engine/executor.h"
#include "store/event_compat.h"

namespace tidemark::engine {

Result<std::unique_ptr<RunRecord>> LoadRunRecord(const store::EventLog& log,
                                                 const std::string& run_id) {
  TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForRun(run_id));
  if (seqs.empty()) return Status::NotFound("no run '" + run_id + "' in the journal");
  TM_ASSIGN_OR_RETURN(auto first, log.Get(seqs.front()));
  const auto* started = std::get_if<RunStarted>(&first.event.body);
  if (!started) return Status::Corruption("run " + run_id + " does not begin with runStarted");
  auto record = std::make_unique<RunRecord>();
  record->run_id = run_id;
  record->started = *started;
  // The environment text is the first blob of a run that has one.
  std::string env_text;
  if (!started->env_sha256.empty()) {
    TM_ASSIGN_OR_RETURN(auto blob, log.GetBlob(started->env_sha256));
    if (!blob) return Status::Corruption("the environment recorded for run " + run_id + " is missing");
    env_text = *blob;
  }
  if (!env_text.empty()) {
    TM_ASSIGN_OR_RETURN(record->env, ParseEnvironment(env_text, started->env_path));
  } else if (!started->env_path.empty()) {
    TM_ASSIGN_OR_RETURN(record->env, LoadEnvironment(started->env_path));
  }
  if (store::KindOfRun(*started) == RunKind::kApply) {
    TM_ASSIGN_OR_RETURN(auto plan_text, log.GetBlob(started->plan_sha256));
    if (!plan_text) return Status::Corruption("the plan recorded for run " + run_id + " is missing");
    std::map<std::string, std::string> params(started->parameters.begin(), started->parameters.end());
    TM_ASSIGN_OR_RETURN(Plan plan, ParsePlan(*plan_text, started->plan_path, record->env, params));
    record->plan = std::move(plan);
  }
  return record;
}

Result<Environment> EnvironmentFor(const store::EventLog& log, const std::string& env_path) {
  if (!env_path.empty()) return LoadEnvironment(env_path);
  auto newest = NewestRun(log);
  if (newest.status().code() == StatusCode::kNotFound) {
    return Status::InvalidInput("the journal has no runs; give --env ENV");
  }
  TM_RETURN_IF_ERROR(newest.status());
  TM_ASSIGN_OR_RETURN(auto record, LoadRunRecord(log, newest.value()));
  return std::move(record->env);
}

Result<std::string> NewestRun(const store::EventLog& log) {
  TM_ASSIGN_OR_RETURN(auto runs, log.Runs());
  if (runs.empty()) return Status::NotFound("the journal has no runs");
  return runs.back();
}

Status RequireRun(const store::EventLog& log, const std::string& run_id) {
  TM_ASSIGN_OR_RETURN(auto runs, log.Runs());
  if (std::find(runs.begin(), runs.end(), run_id) != runs.end()) return Status::Ok();
  return Status::NotFound("no run '" + run_id + "' in the journal " + log.dir().string() +
                          " (`tidemark log --kind runStarted` lists the runs)");
}

Result<std::string> RolledBackBy(const store::EventLog& log, const RunState& run) {
  TM_ASSIGN_OR_RETURN(auto runs, log.Runs());
  auto it = std::find(runs.begin(), runs.end(), run.id);
  if (it == runs.end()) return std::string();
  for (++it; it != runs.end(); ++it) {
    TM_ASSIGN_OR_RETURN(State st, FoldRun(log, *it));
    const RunState* later = st.FindRun(*it);
    if (later && later->rollback && later->status == RunStatus::kFinished &&
        later->rollback->target_seq <= run.start_seq) {
      return *it;
    }
  }
  return std::string();
}

Result<std::vector<std::string>> UnfinishedRuns(const store::EventLog& log) {
  TM_ASSIGN_OR_RETURN(auto runs, log.Runs());
  std::vector<std::string> out;
  for (const auto& id : runs) {
    TM_ASSIGN_OR_RETURN(State st, FoldRun(log, id));
    const RunState* run = st.FindRun(id);
    if (run && run->status != RunStatus::kFinished) out.push_back(id);
  }
  return out;
}

}  // namespace tidemark::engine
