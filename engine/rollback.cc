// Reverse planning from the journal and its execution through ChangeWriter.
#include "engine/rollback.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "engine/executor.h"
#include "engine/fold.h"
#include "engine/outcomes.h"
#include "snapshots/db_backup.h"
#include "store/system_info.h"
#include "store/event_compat.h"
#include "store/sha256.h"

namespace tidemark::engine {

std::optional<int64_t> ParseTime(const std::string& text) {
  int y, mo, d, h, mi, s;
  char rest[64] = {0};
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%63s", &y, &mo, &d, &h, &mi, &s, rest) < 6) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::string tail = rest;
  int64_t frac_ns = 0;
  if (!tail.empty() && tail[0] == '.') {
    size_t i = 1;
    int64_t scale = 100000000;
    while (i < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i]))) {
      frac_ns += (tail[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    tail = tail.substr(i);
  }
  int64_t offset = 0;
  if (tail == "Z") {
    offset = 0;
  } else if (tail.size() == 6 && (tail[0] == '+' || tail[0] == '-') && tail[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(tail.c_str() + 1, "%2d:%2d", &oh, &om) != 2 || oh > 14 || om > 59) return std::nullopt;
    offset = (tail[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;  // a time without a zone is ambiguous at 2 a.m. on a DST night
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const int64_t secs = static_cast<int64_t>(store::TimeFromUtc(tm)) - offset;
  return secs * 1000000000 + frac_ns;
}

Result<uint64_t> ResolvePoint(const store::EventLog& log, const std::string& point) {
  const uint64_t head = log.head().seq;
  if (head == 0) return Status::InvalidInput("the journal is empty: there is no point '" + point + "'");
  if (point == "start") {
    TM_ASSIGN_OR_RETURN(auto starts, log.SeqsForKind("runStarted"));
    for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
      TM_ASSIGN_OR_RETURN(auto e, log.Get(*it));
      if (store::KindOfRun(std::get<RunStarted>(e.event.body)) != RunKind::kRollback) return *it;
    }
    return Status::NotFound("the journal has no upgrade run to go back to the start of");
  }
  if (!point.empty() && std::all_of(point.begin(), point.end(), ::isdigit)) {
    const uint64_t seq = std::stoull(point);
    if (seq > head) {
      return Status::NotFound("seq " + point + " is beyond the journal head (" +
                              std::to_string(head) + ")");
    }
    return seq;
  }
  if (point.find('T') != std::string::npos && std::isdigit(static_cast<unsigned char>(point[0]))) {
    auto t = ParseTime(point);
    if (!t) {
      return Status::InvalidInput("'" + point + "' is not a time like 2026-11-24T02:10:00Z or "
                                  "2026-11-24T03:10:00+01:00");
    }
    uint64_t found = 0;
    TM_RETURN_IF_ERROR(log.Scan(1, 0, false, [&](const store::StoredEvent& e) {
      if (e.event.time_ns > *t) return false;
      found = e.event.seq;
      return true;
    }));
    return found;
  }
  TM_ASSIGN_OR_RETURN(auto cps, log.SeqsForKind("checkpoint"));
  std::vector<std::string> names;
  for (auto it = cps.rbegin(); it != cps.rend(); ++it) {
    TM_ASSIGN_OR_RETURN(auto e, log.Get(*it));
    const auto& cp = std::get<Checkpoint>(e.event.body);
    if (cp.name == point) return *it;
    names.push_back(cp.name);
  }
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  return Status::NotFound("no checkpoint named '" + point + "' (POINT is a seq, a time, a "
                          "checkpoint name or 'start'" +
                          (known.empty() ? std::string(")") : "; checkpoints: " + known + ")"));
}

namespace {

// The effective changes after `target_seq` (the outcome fold over the journal
// from there), minus the pairs of a change and its reversal that both lie
// after the point. An outcome naming an intent before the point reads it;
// any read error, or an intent that is missing, is Corruption: a change left
// out would be silently left in place.
Result<std::vector<ReverseStep>> ChangesToUndo(const store::EventLog& log, uint64_t target_seq) {
  OutcomeFold fold([&log](uint64_t seq) -> Result<Event> {
    auto got = log.Get(seq);
    if (!got.ok()) {
      return Status::Corruption("the intent (seq " + std::to_string(seq) +
                                ") of a change to roll back cannot be read: " +
                                got.status().message());
    }
    return std::move(got->event);
  });
  Status folded = Status::Ok();
  TM_RETURN_IF_ERROR(log.Scan(target_seq + 1, 0, false, [&](const store::StoredEvent& se) {
    folded = fold.Apply(se.event).status();
    return folded.ok();
  }));
  TM_RETURN_IF_ERROR(folded);
  std::vector<ReverseStep> steps;
  std::set<uint64_t> in_range;
  std::map<uint64_t, uint64_t> reversal_of;  // effective seq of a reverse action → original's
  for (const RecordedChange& c : fold.changes()) {
    if (!c.effective() || c.outcome_seq <= target_seq) continue;
    steps.push_back(ReverseStep{c.outcome_seq, c.resource, c.after, c.before, {}, false, c.secret,
                                false});
    in_range.insert(c.outcome_seq);
    if (c.reverses) reversal_of[c.outcome_seq] = c.reverses;
  }
  // A reversal whose original is before the point stays (it must itself be undone).
  std::set<uint64_t> drop;
  for (const auto& [reversal, original] : reversal_of) {
    if (in_range.count(original)) {
      drop.insert(reversal);
      drop.insert(original);
    }
  }
  std::erase_if(steps, [&](const ReverseStep& s) { return drop.count(s.seq) > 0; });
  std::sort(steps.begin(), steps.end(),
            [](const ReverseStep& x, const ReverseStep& y) { return x.seq > y.seq; });
  return steps;
}

Status ConflictStatus(size_t conflicts) {
  return Status::Conflict(std::to_string(conflicts) +
                          " resource(s) were changed after the run left them; nothing was "
                          "rolled back. Review them, then use --force to overwrite");
}

}  // namespace

Result<ReversePlan> Rollback::PlanReverse(uint64_t target_seq, bool restore_databases) {
  ReversePlan plan;
  plan.target_seq = target_seq;
  plan.restore_databases = restore_databases;
  if (target_seq > 0) {
    TM_ASSIGN_OR_RETURN(auto at, log_.Get(target_seq));
    if (const auto* c = std::get_if<Checkpoint>(&at.event.body)) plan.checkpoint = *c;
  }
  if (restore_databases && (!plan.checkpoint || plan.checkpoint->backups.empty())) {
    return Status::InvalidInput("--restore-databases needs --to a checkpoint that holds database "
                                "backups");
  }
  TM_ASSIGN_OR_RETURN(plan.steps, ChangesToUndo(log_, target_seq));
  std::set<std::string> restored_dbs;
  if (restore_databases) {
    for (const auto& b : plan.checkpoint->backups) restored_dbs.insert(b.database);
  }
  // Live values, simulated forward as the newer reversals take effect.
  std::map<std::string, Value> simulated;
  for (auto& s : plan.steps) {
    const std::string id = s.resource.Identity();
    auto it = simulated.find(id);
    if (it == simulated.end()) {
      TM_ASSIGN_OR_RETURN(Value live, targets_.Read(s.resource));
      it = simulated.emplace(id, live).first;
    }
    s.current = it->second;
    s.conflict = !Matches(s.current, s.recorded_after);
    s.via_database_restore = (s.resource.kind == ResourceKind::kSqlCell ||
                              s.resource.kind == ResourceKind::kSqlRow) &&
                             restored_dbs.count(s.resource.database) > 0;
    if (s.conflict && !s.via_database_restore) {
      plan.conflicts.push_back(
          ConflictInfo{s.seq, s.resource, s.restore, s.recorded_after, s.current, s.secret});
    }
    it->second = s.restore;
  }
  return plan;
}

Status Rollback::RestoreDatabases(ChangeWriter& w, const ReversePlan& plan) {
  for (const auto& b : plan.checkpoint->backups) {
    std::vector<Resource> affected;
    for (const auto& s : plan.steps) {
      if (s.via_database_restore && s.resource.database == b.database) affected.push_back(s.resource);
    }
    std::vector<Value> before;
    for (const auto& r : affected) {
      TM_ASSIGN_OR_RETURN(Value v, targets_.Read(r));
      before.push_back(v);
    }
    TM_ASSIGN_OR_RETURN(auto* db, targets_.Sql(b.database));
    const DatabaseConfig* cfg = targets_.env().FindDatabase(b.database);
    snapshots::BackupOptions limits;
    if (cfg != nullptr && cfg->backup_timeout) limits.timeout = *cfg->backup_timeout;
    TM_ASSIGN_OR_RETURN(auto driver, snapshots::MakeBackupDriver(*db, limits));
    TM_RETURN_IF_ERROR(
        w.Append(ActionStarted{0, "restore-database", b.database + " from " + b.file, ""}).status());
    Status st = driver->Restore(b);
    if (!st.ok()) return st.Prefix("restoring database " + b.database);
    std::vector<EventBody> observed;
    for (size_t i = 0; i < affected.size(); ++i) {
      TM_ASSIGN_OR_RETURN(Value now, targets_.Read(affected[i]));
      if (!(now == before[i])) observed.push_back(Observed{affected[i], before[i], now, false});
    }
    if (!observed.empty()) TM_RETURN_IF_ERROR(w.AppendBatch(std::move(observed), {}).status());
    TM_RETURN_IF_ERROR(w.Append(ActionFinished{0, 0}).status());
    Progress("  restored database " + b.database + " from " + b.file);
  }
  return Status::Ok();
}

Status Rollback::Execute(ChangeWriter& w, const ReversePlan& plan, bool force) {
  if (plan.restore_databases) TM_RETURN_IF_ERROR(RestoreDatabases(w, plan));
  for (const auto& s : plan.steps) {
    if (s.via_database_restore) continue;
    Change c;
    c.resource = s.resource;
    c.after = s.restore;
    c.action = "rollback";
    c.reverses = s.seq;
    c.secret = s.secret;
    c.before = s.current;  // the before phase was planning's read; compare-and-set checks it
    if (s.restore.type == ValueType::kFile) {
      TM_ASSIGN_OR_RETURN(auto blob, log_.GetBlob(s.restore.bytes));
      if (!blob) return Status::Corruption("no content blob for " + s.resource.Display());
      c.after_content = std::move(blob);
    }
    // The three-way check is the compare of the write itself: it must still
    // hold what the change left, unless --force overwrites (recorded).
    Status st = s.conflict ? Status::Conflict(s.resource.Display() + " changed after the run")
                           : w.Apply(c, s.recorded_after);
    if (st.code() == StatusCode::kConflict && force && !w.journal_failed()) {
      const Value found = s.conflict ? s.current : w.last_before();
      TM_RETURN_IF_ERROR(w.Append(Decision{0, "force", found,
                                           "overwrote " + s.resource.Display() +
                                               " (changed after the run)"})
                             .status());
      st = w.Apply(c);
    }
    if (st.code() == StatusCode::kConflict) {
      return Status::Conflict(s.resource.Display() + " changed during the rollback: " +
                              st.message());
    }
    TM_RETURN_IF_ERROR(st);
    Progress("  restored " + s.resource.Display() + " → " +
             store::ShowValue(s.restore, &s.resource, s.secret, false));
  }
  return Status::Ok();
}

Status Rollback::Finish(ChangeWriter& w, const Status& outcome) {
  if (!outcome.ok()) {
    if (w.journal_failed()) return outcome;  // the record itself failed: no more appends
    TM_RETURN_IF_ERROR(w.Append(StepFailed{outcome.message()}).status());
    TM_RETURN_IF_ERROR(w.Append(RunFailed{outcome.message()}).status());
    return outcome;
  }
  TM_RETURN_IF_ERROR(w.AppendBatch({StepFinished{}, RollbackFinished{}, RunFinished{}}, {}).status());
  return MaybeSnapshot(log_).status();  // every N events (engine/fold.h)
}

Status Rollback::Run(const std::string& point, std::string* run_id) {
  TM_ASSIGN_OR_RETURN(uint64_t target_seq, ResolvePoint(log_, point));
  TM_ASSIGN_OR_RETURN(ReversePlan plan, PlanReverse(target_seq, options_.restore_databases));
  plan_ = plan.steps;
  conflicts_ = plan.conflicts;
  if (options_.dry_run) return Status::Ok();
  if (plan.steps.empty()) {
    Progress("nothing to roll back after " + point);
    return Status::Ok();
  }
  // Conflicts stop the rollback before anything is written or recorded.
  if (!conflicts_.empty() && !options_.force) return ConflictStatus(conflicts_.size());
  const std::string id = Executor::NewRunId();
  ChangeWriter w(log_, targets_, id);
  RunStarted started;
  started.kind = RunKind::kRollback;
  started.plan_name = "rollback";
  started.command_line = options_.command_line;
  started.env_path = targets_.env().path.string();
  started.env_sha256 = Sha256Hex(targets_.env().text);
  // One batch: a rollback run is never recorded without its target.
  w.set_step("rollback");
  TM_RETURN_IF_ERROR(w.AppendBatch({started,
                                    RollbackStarted{point, target_seq, options_.restore_databases,
                                                    options_.force},
                                    StepStarted{"Roll back to " + point, "rollback"}},
                                   {targets_.env().text})
                         .status());
  if (run_id) *run_id = id;
  Progress("rollback " + id + " to " + point + " (after seq " + std::to_string(target_seq) + ")");
  TM_RETURN_IF_ERROR(Finish(w, Execute(w, plan, options_.force)));
  Progress("rollback " + id + " finished: " + std::to_string(w.applied()) + " change(s) reversed");
  return Status::Ok();
}

Status Rollback::Continue(const std::string& run_id, ResumeChoice choice) {
  TM_ASSIGN_OR_RETURN(State state, FoldRun(log_, run_id));
  const RunState* run = state.FindRun(run_id);
  if (!run || !run->rollback) return Status::NotFound("run " + run_id + " is not an open rollback");
  ChangeWriter w(log_, targets_, run_id);
  w.set_step("rollback");
  for (const auto& [seq, pending] : run->in_doubt) {
    ConflictInfo conflict;
    Status st = w.Reconcile(pending, choice, &conflict);
    if (st.code() == StatusCode::kConflict) {
      conflicts_.push_back(conflict);
      continue;
    }
    TM_RETURN_IF_ERROR(st);
  }
  if (!conflicts_.empty()) {
    return Status::Conflict("an interrupted reverse action found an unexpected value; choose "
                            "--accept-current or --reapply");
  }
  const RollbackStarted rb = *run->rollback;
  TM_ASSIGN_OR_RETURN(ReversePlan plan, PlanReverse(rb.target_seq, rb.restore_databases));
  plan_ = plan.steps;
  conflicts_ = plan.conflicts;
  if (!conflicts_.empty() && !rb.force) return ConflictStatus(conflicts_.size());
  TM_RETURN_IF_ERROR(w.Append(StepStarted{"Roll back to " + rb.target + " (resumed)", "rollback"}).status());
  Progress("continuing rollback " + run_id + " to " + rb.target);
  TM_RETURN_IF_ERROR(Finish(w, Execute(w, plan, rb.force)));
  Progress("rollback " + run_id + " finished");
  return Status::Ok();
}

}  // namespace tidemark::engine
