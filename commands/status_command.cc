// `tidemark status [--run R]`: the first thing to run after a crash — the
// newest run's plan, parameters, who/where/when, each step's status, in-doubt
// changes, interrupted actions, checkpoints, the lock holder and what to do next.
#include <sstream>

#include "commands/commands.h"
#include "commands/json_writer.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/fold.h"
#include "engine/process/process_identity.h"
#include "engine/run_record.h"
#include "store/event_compat.h"
#include "store/journal_lock.h"
#include "store/sha256.h"

namespace tidemark::commands {
namespace {

std::string Duration(int64_t from_ns, int64_t to_ns) {
  if (from_ns == 0 || to_ns < from_ns) return "";
  const double secs = static_cast<double>(to_ns - from_ns) / 1e9;
  char buf[32];
  if (secs < 60) std::snprintf(buf, sizeof buf, "%.1fs", secs);
  else std::snprintf(buf, sizeof buf, "%dm%02ds", static_cast<int>(secs) / 60, static_cast<int>(secs) % 60);
  return buf;
}

// What the journal and the run are, for both renderings.
struct StatusView {
  const CommonOptions& common;
  const store::EventLog& log;
  const std::string& holder;
  const engine::RunState& run;
  bool is_rollback;
  std::string next;
};

// The interrupted exec's program of step `s` when it still runs, else nullptr.
const ProcessStarted* RunningProgram(const engine::StepState& s) {
  if (!s.open_action || !s.open_process || s.open_exit) return nullptr;
  const auto& p = *s.open_process;
  return process::ProcessLiveness(p.pid, p.start_id) == process::Liveness::kRunning ? &p : nullptr;
}

// The admin's next move, from how the run stands and who holds the lock.
std::string NextStep(const engine::RunState& run, bool is_rollback, const std::string& holder,
                     const std::string& rolled_back_by) {
  if (!rolled_back_by.empty()) {
    return "rolled back by run " + rolled_back_by +
           "; `tidemark drift` confirms the systems match the journal";
  }
  if (run.status == engine::RunStatus::kFinished) {
    return is_rollback ? "rolled back; `tidemark drift` confirms the systems match the journal"
                       : "finished; `tidemark verify` prints the head hash for the change ticket";
  }
  if (!holder.empty()) return "another tidemark is working on this journal right now (" + holder + ")";
  for (const auto& s : run.steps) {
    if (const auto* p = RunningProgram(s)) {
      return "step " + s.id + "'s program still runs (process " + std::to_string(p->pid) +
             ", it outlived the tidemark that started it): wait for it to end before `tidemark resume`";
    }
  }
  if (!run.in_doubt.empty()) return "`tidemark resume` will check the in-doubt changes against the live systems";
  return "`tidemark resume` continues it; `tidemark rollback --dry-run` shows how to undo it";
}

int PrintNoRuns(Context& ctx, const CommonOptions& common, const store::EventLog& log,
                const std::string& holder) {
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("journal", common.journal.string()).Key("run").Null()
        .Field("head_seq", log.head().seq).Field("lock_holder", holder).EndObject();
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << "journal " << common.journal.string() << ": " << log.head().seq << " events, no runs yet\n";
  }
  return 0;
}

std::string Shown(const StatusView& v, const Value& value, const engine::PendingIntent& p) {
  return store::ShowValue(value, &p.intent.resource, p.intent.secret, v.common.reveal_secrets);
}

void WriteRunJson(JsonWriter& w, const StatusView& v) {
  const engine::RunState& run = v.run;
  w.Key("run").BeginObject()
      .Field("id", run.id).Field("plan", run.info.plan_name).Field("plan_path", run.info.plan_path)
      .Field("plan_sha256", run.info.plan_sha256).Field("status", engine::RunStatusName(run.status))
      .Field("error", run.error).Field("user", run.user).Field("host", run.host)
      .Field("started", FormatTime(run.start_ns)).Field("last_event", FormatTime(run.last_ns))
      .Field("start_seq", run.start_seq).Field("last_seq", run.last_seq).Field("changes", run.changes)
      .Field("rollback", v.is_rollback);
  w.Key("parameters").BeginObject();
  for (const auto& [k, val] : run.info.parameters) {
    w.Field(k, store::ShowParameter(k, val, store::IsSecretParameter(run.info, k), v.common.reveal_secrets));
  }
  w.EndObject().Key("steps").BeginArray();
  for (const auto& s : run.steps) {
    w.BeginObject().Field("id", s.id).Field("title", s.title).Field("status", engine::StepStatusName(s.status))
        .Field("started", FormatTime(s.started_ns)).Field("error", s.error)
        .Field("interrupted_action", s.open_action ? s.open_action->kind + ": " + s.open_action->detail : "")
        .Field("running_process", static_cast<int64_t>(RunningProgram(s) ? RunningProgram(s)->pid : 0))
        .EndObject();
  }
  w.EndArray().Key("in_doubt").BeginArray();
  for (const auto& [seq, p] : run.in_doubt) {
    w.BeginObject().Field("seq", seq).Field("step", p.step).Field("resource", p.intent.resource.Display())
        .Field("before", Shown(v, p.intent.before, p)).Field("after", Shown(v, p.intent.after, p)).EndObject();
  }
  w.EndArray().Key("checkpoints").BeginArray();
  for (uint64_t seq : run.checkpoints) {
    auto e = v.log.Get(seq);
    if (!e.ok()) continue;
    const auto& cp = std::get<Checkpoint>(e->event.body);
    w.BeginObject().Field("seq", seq).Field("name", cp.name)
        .Field("backups", static_cast<uint64_t>(cp.backups.size())).EndObject();
  }
  w.EndArray().EndObject();
}

void PrintRunHeader(std::ostream& o, const StatusView& v) {
  const engine::RunState& run = v.run;
  o << "run       " << run.id << (v.is_rollback ? "  (rollback)" : "") << "\n"
    << "plan      " << run.info.plan_name << (run.info.plan_path.empty() ? "" : "  " + run.info.plan_path) << "\n"
    << "status    " << engine::RunStatusName(run.status) << (run.error.empty() ? "" : ": " + run.error) << "\n"
    << "by        " << run.user << "@" << run.host << "\n"
    << "started   " << FormatTime(run.start_ns) << "  (seq " << run.start_seq << ")\n"
    << "last      " << FormatTime(run.last_ns) << "  (seq " << run.last_seq << "), "
    << run.changes << " change(s) recorded\n";
  if (!run.info.parameters.empty()) {
    o << "parameters";
    for (const auto& [k, val] : run.info.parameters) {
      o << "  " << k << "="
        << store::ShowParameter(k, val, store::IsSecretParameter(run.info, k), v.common.reveal_secrets);
    }
    o << "\n";
  }
  o << "journal   " << v.common.journal.string() << ", head seq " << v.log.head().seq
    << (v.holder.empty() ? ", not locked" : ", LOCKED by " + v.holder) << "\n\n";
}

// The steps that ran, then those of the recorded plan not started yet.
Status PrintSteps(std::ostream& o, const StatusView& v) {
  Table steps({"STEP", "STATUS", "STARTED", "TOOK", "TITLE"});
  for (const auto& s : v.run.steps) {
    std::string status = engine::StepStatusName(s.status);
    if (s.attempts > 1) status += " (attempt " + std::to_string(s.attempts) + ")";
    if (s.open_action) status = "interrupted in " + s.open_action->kind;
    if (const auto* p = RunningProgram(s)) status += ", still running (process " + std::to_string(p->pid) + ")";
    steps.Add({s.id, status, FormatTime(s.started_ns), Duration(s.started_ns, s.ended_ns), s.title});
  }
  if (!v.run.info.plan_sha256.empty()) {
    auto record = engine::LoadRunRecord(v.log, v.run.id);
    if (record.status().code() == StatusCode::kCorruption) return record.status();
    if (record.ok() && record.value()->plan) {
      for (const auto& step : record.value()->plan->steps) {
        if (!v.run.FindStep(step.id)) steps.Add({step.id, "not started", "", "", step.title});
      }
    }
  }
  steps.Print(o);
  return Status::Ok();
}

void PrintInDoubtAndCheckpoints(std::ostream& o, const StatusView& v) {
  if (!v.run.in_doubt.empty()) {
    o << "\nIn doubt (recorded as intended, outcome not recorded):\n";
    Table t({"SEQ", "STEP", "RESOURCE", "BEFORE", "AFTER"});
    for (const auto& [seq, p] : v.run.in_doubt) {
      t.Add({std::to_string(seq), p.step, p.intent.resource.Display(), Shown(v, p.intent.before, p),
             Shown(v, p.intent.after, p)});
    }
    t.Print(o);
  }
  if (!v.run.checkpoints.empty()) {
    o << "\nCheckpoints:\n";
    for (uint64_t seq : v.run.checkpoints) {
      auto e = v.log.Get(seq);
      if (e.ok()) o << "  #" << seq << "  " << Summarize(e->event, v.common.reveal_secrets) << "\n";
    }
  }
}

}  // namespace

int RunStatus(Context& ctx) {
  po::options_description desc("status");
  std::string run_id;
  desc.add_options()("run", po::value<std::string>(&run_id), "this run instead of the newest");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "status [--run R]", code)) return code;
  auto log = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!log.ok()) return Fail(ctx, log.status());
  const std::string holder = store::JournalLock::DescribeHolder(common.journal);
  if (run_id.empty()) {
    auto newest = engine::NewestRun(*log.value());
    if (!newest.ok() && newest.status().code() != StatusCode::kNotFound) return Fail(ctx, newest.status());
    if (!newest.ok()) return PrintNoRuns(ctx, common, *log.value(), holder);
    run_id = newest.value();
  } else if (Status known = engine::RequireRun(*log.value(), run_id); !known.ok()) {
    return Fail(ctx, known);
  }
  auto folded = engine::FoldRun(*log.value(), run_id);
  if (!folded.ok()) return Fail(ctx, folded.status());
  const engine::RunState& run = *folded->FindRun(run_id);
  const bool is_rollback = store::KindOfRun(run.info) == RunKind::kRollback;
  std::string rolled_back_by;
  if (!is_rollback) {
    auto by = engine::RolledBackBy(*log.value(), run);
    if (!by.ok()) return Fail(ctx, by.status());
    rolled_back_by = by.value();
  }
  const StatusView view{common, *log.value(), holder, run, is_rollback,
                        NextStep(run, is_rollback, holder, rolled_back_by)};
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("journal", common.journal.string()).Field("head_seq", log.value()->head().seq)
        .Field("lock_holder", holder);
    WriteRunJson(w, view);
    w.Field("next", view.next).EndObject();
    ctx.out << w.str() << "\n";
    return 0;
  }
  std::ostringstream o;  // escaped for the terminal as a whole below
  PrintRunHeader(o, view);
  if (Status s = PrintSteps(o, view); !s.ok()) return Fail(ctx, s);
  PrintInDoubtAndCheckpoints(o, view);
  o << "\nNext: " << view.next << "\n";
  ctx.out << store::EscapeForTerminal(o.str(), /*keep_newlines=*/true);
  return 0;
}

}  // namespace tidemark::commands
