// `tidemark resume`: continue the newest run (or --run R) exactly where it
// stopped, following the Resume table; rollbacks are continued the same way.
#include "commands/commands.h"
#include "commands/exit_code.h"
#include "commands/json_writer.h"
#include "commands/run_output.h"
#include "engine/executor.h"
#include "engine/preflight.h"
#include "engine/fold.h"
#include "engine/process/interrupt.h"
#include "engine/rollback.h"
#include "engine/run_record.h"

namespace tidemark::commands {

namespace {

// A finished run has nothing to resume; older unfinished ones are named.
int SayFinished(Context& ctx, const store::EventLog& log, const engine::RunState& run) {
  ctx.out << "run " << run.id << " (" << store::EscapeForTerminal(run.info.plan_name)
          << ") already finished; nothing to resume\n";
  auto open = engine::UnfinishedRuns(log);
  if (open.ok() && !open->empty()) {
    ctx.out << "older unfinished runs (resume one with --run):";
    for (const auto& r : open.value()) ctx.out << " " << r;
    ctx.out << "\n";
  }
  return 0;
}

// The outcome: JSON when asked, then the error and the conflicts to decide.
int Finish(Context& ctx, const CommonOptions& common, const std::string& run_id, const Status& st,
           const std::vector<engine::ConflictInfo>& conflicts) {
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("run", run_id).Field("ok", st.ok()).Field("exit_code", ExitCode(st));
    if (!st.ok()) w.Field("error", st.message());
    w.Key("conflicts").BeginArray();
    for (const auto& c : conflicts) {
      w.BeginObject().Field("seq", c.seq).Field("resource", c.resource.Display()).EndObject();
    }
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
  }
  if (st.ok()) return 0;
  const int rc = Fail(ctx, st);
  if (!conflicts.empty()) {
    PrintConflicts(ctx, conflicts, common.reveal_secrets,
                   "Choose: `tidemark resume --accept-current` keeps the current values, "
                   "`tidemark resume --reapply` writes the planned values over them.");
  }
  return rc;
}

}  // namespace

int RunResume(Context& ctx) {
  po::options_description desc("resume");
  std::string run_id;
  std::vector<std::string> confirm;
  bool accept = false, reapply = false, rerun = false, done = false, yes = false, running = false;
  desc.add_options()
      ("run", po::value<std::string>(&run_id), "the run to continue (default: the newest run)")
      ("accept-current", po::bool_switch(&accept), "keep values changed by someone else and go on")
      ("reapply", po::bool_switch(&reapply), "overwrite values changed by someone else")
      ("rerun-step", po::bool_switch(&rerun), "run an interrupted exec/manual action again")
      ("step-done", po::bool_switch(&done), "an interrupted exec/manual action was completed by hand")
      ("despite-running", po::bool_switch(&running),
       "go on although the interrupted exec's program still runs (it outlived tidemark)")
      ("yes,y", po::bool_switch(&yes), "confirm manual steps without asking")
      ("confirm", po::value<std::vector<std::string>>(&confirm),
       "STEP: confirm that step's judged manual prompts (judge: true; --yes does not; repeatable)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common,
                 "resume [--run R] [--accept-current|--reapply] [--rerun-step|--step-done]", code)) {
    return code;
  }
  if (accept && reapply) return Fail(ctx, Status::InvalidInput("choose one of --accept-current and --reapply"));
  if (rerun && done) return Fail(ctx, Status::InvalidInput("choose one of --rerun-step and --step-done"));
  auto log = OpenJournal(common, store::OpenMode::kWrite);
  if (!log.ok()) return Fail(ctx, log.status());
  if (run_id.empty()) {
    auto newest = engine::NewestRun(*log.value());
    if (!newest.ok()) return Fail(ctx, newest.status());
    run_id = newest.value();
  } else if (Status known = engine::RequireRun(*log.value(), run_id); !known.ok()) {
    return Fail(ctx, known);
  }
  auto record = engine::LoadRunRecord(*log.value(), run_id);
  if (!record.ok()) return Fail(ctx, record.status());
  auto folded = engine::FoldRun(*log.value(), run_id);
  if (!folded.ok()) return Fail(ctx, folded.status());
  const engine::RunState* run = folded->FindRun(run_id);
  if (run->status == engine::RunStatus::kFinished) return SayFinished(ctx, *log.value(), *run);
  const engine::ResumeChoice choice = accept    ? engine::ResumeChoice::kAcceptCurrent
                                      : reapply ? engine::ResumeChoice::kReapply
                                                : engine::ResumeChoice::kNone;
  engine::TargetSet targets(record.value()->env);
  process::InstallStopHandlers();
  Status st;
  std::vector<engine::ConflictInfo> conflicts;
  if (run->rollback) {
    engine::RollbackOptions ro;
    ro.progress = ProgressPrinter(ctx, common.json);
    engine::Rollback rollback(*log.value(), targets, ro);
    st = rollback.Continue(run_id, choice);
    conflicts = rollback.conflicts();
  } else if (!record.value()->plan) {
    return Fail(ctx, Status::Corruption("run " + run_id + " has no recorded plan to resume"));
  } else {
    std::set<std::string> finished;
    for (const auto& s : run->steps) {
      if (s.status == engine::StepStatus::kFinished || s.status == engine::StepStatus::kSkipped) finished.insert(s.id);
    }
    if (Status refused = RequireWayToConfirm(ctx, *record.value()->plan, yes, finished,
                                                 {confirm.begin(), confirm.end()}); !refused.ok()) {
      return Fail(ctx, refused);
    }
    if (Status unreachable = engine::PreflightStatus(engine::Preflight(targets, *record.value()->plan));
        !unreachable.ok()) {
      return Fail(ctx, unreachable);
    }
    engine::ExecOptions options;
    options.yes = yes;
    options.confirmed_steps = {confirm.begin(), confirm.end()};
    options.confirm = TerminalConfirm(ctx);
    options.progress = ProgressPrinter(ctx, common.json);
    options.command_line = ctx.command_line;
    engine::Executor executor(*log.value(), targets, options);
    engine::ResumeOptions ro;
    ro.choice = choice;
    ro.rerun_step = rerun;
    ro.step_done = done;
    ro.despite_running = running;
    st = executor.Resume(*record.value()->plan, run_id, ro);
    conflicts = executor.conflicts();
  }
  return Finish(ctx, common, run_id, st, conflicts);
}

}  // namespace tidemark::commands
