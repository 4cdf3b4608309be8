// Apply and resume: steps, actions, opaque actions with watch scans,
// checkpoints and asserts, all through the intent/applied protocol.
#include "engine/executor.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "engine/action_expander.h"
#include "engine/actions/kinds.h"
#include "engine/fold.h"
#include "engine/process/interrupt.h"
#include "engine/process/process_identity.h"
#include "engine/process/process_runner.h"
#include "snapshots/db_backup.h"
#include "store/event_codec.h"
#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::engine {
namespace {

// "4.2s", "73.0s": the elapsed time beside a program's output lines.
std::string ElapsedText(std::chrono::steady_clock::duration d) {
  const auto tenths = std::chrono::duration_cast<std::chrono::milliseconds>(d).count() / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "s";
}

bool IsOpaque(const Action& a) {
  return std::visit([](const auto& k) { return OpaqueAction<std::decay_t<decltype(k)>>; }, a.body);
}

// What an opaque action does, as recorded in actionStarted: the command line or the prompt.
std::string OpaqueDetail(const Action& a) {
  if (const auto* exec = a.As<Exec>()) return exec->CommandLine();
  if (const auto* manual = a.As<Manual>()) return manual->prompt;
  return "";
}

}  // namespace

std::string EncodeScanImage(const snapshots::ScanImage& image) {
  std::string out;
  for (const auto& [identity, entry] : image) {
    Event e;
    e.body = Observed{entry.resource, Value::Absent(), entry.value, false};
    const std::string bytes = store::EncodeEvent(e);
    out += store::SeqKey(bytes.size());
    out += bytes;
  }
  return out;
}

Result<snapshots::ScanImage> DecodeScanImage(std::string_view bytes, const store::EventLog& log) {
  snapshots::ScanImage image;
  size_t pos = 0;
  while (pos < bytes.size()) {
    if (pos + 8 > bytes.size()) return Status::Corruption("scan image is truncated");
    const uint64_t len = store::DecodeSeqKey(bytes.substr(pos, 8));
    pos += 8;
    if (len > bytes.size() - pos) return Status::Corruption("scan image is truncated");
    TM_ASSIGN_OR_RETURN(Event e, store::DecodeEvent(bytes.substr(pos, len)));
    pos += len;
    const auto* o = std::get_if<Observed>(&e.body);
    if (!o) return Status::Corruption("scan image holds a non-observed entry");
    snapshots::ScanEntry entry{o->resource, o->after, std::nullopt};
    if (o->after.type == ValueType::kFile) {
      TM_ASSIGN_OR_RETURN(entry.content, log.GetBlob(o->after.bytes));
    }
    image[o->resource.Identity()] = std::move(entry);
  }
  return image;
}

Executor::Executor(store::EventLog& log, TargetSet& targets, ExecOptions options)
    : log_(log), targets_(targets), options_(std::move(options)) {
  if (options_.log_dir.empty()) options_.log_dir = log_.dir() / "exec-logs";
}

void Executor::Progress(const std::string& line) const {
  if (options_.progress) options_.progress(secrets_.Redact(line));
}

std::string Executor::NewRunId() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", std::gmtime(&t));
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(ns / 1000) & 0xFFFF);
  return std::string(buf) + "-" + suffix;
}

Status Executor::FailStep(ChangeWriter& w, const Status& failure) {
  const Status why(failure.code(), secrets_.Redact(failure.message()));
  TM_RETURN_IF_ERROR(w.Append(StepFailed{why.message()}).status());
  TM_RETURN_IF_ERROR(w.Append(RunFailed{"step " + w.step() + ": " + why.message()}).status());
  Progress("  FAILED: " + why.message());
  if (why.code() == StatusCode::kRunStopped) return why;
  return Status::RunStopped("step " + w.step() + " failed: " + why.message());
}

Status Executor::Apply(const Plan& plan, std::string* run_id) {
  const std::string id = NewRunId();
  secrets_ = store::SecretPolicy(plan.secret_values);
  ChangeWriter w(log_, targets_, id);
  w.set_secrets(secrets_);
  RunStarted started;
  started.kind = RunKind::kApply;
  started.plan_name = plan.name;
  started.plan_path = plan.path.string();
  started.plan_sha256 = Sha256Hex(plan.text);
  started.parameters = plan.parameters;
  started.env_path = targets_.env().path.string();
  started.env_sha256 = Sha256Hex(targets_.env().text);
  started.command_line = options_.command_line;
  TM_RETURN_IF_ERROR(w.Append(started, {plan.text, targets_.env().text}).status());
  if (run_id) *run_id = id;
  Progress("run " + id + ": " + plan.name + " (" + std::to_string(plan.steps.size()) + " steps)");
  return RunFrom(plan, w, nullptr, ResumeOptions{});
}

Status Executor::Resume(const Plan& plan, const std::string& run_id, const ResumeOptions& ro) {
  TM_ASSIGN_OR_RETURN(State state, FoldRun(log_, run_id));
  const RunState* run = state.FindRun(run_id);
  if (!run) return Status::NotFound("no run '" + run_id + "' in the journal");
  if (run->status == RunStatus::kFinished) {
    Progress("run " + run_id + " already finished; nothing to do");
    return Status::Ok();
  }
  secrets_ = store::SecretPolicy(plan.secret_values);
  ChangeWriter w(log_, targets_, run_id);
  w.set_secrets(secrets_);
  Progress("resuming run " + run_id + " (" + plan.name + ")");
  conflicts_.clear();
  // 1. Intents without an outcome, oldest first.
  for (const auto& [seq, pending] : run->in_doubt) {
    w.set_step(pending.step);
    ConflictInfo conflict;
    Status st = w.Reconcile(pending, ro.choice, &conflict);
    if (st.code() == StatusCode::kConflict) {
      conflicts_.push_back(conflict);
      continue;
    }
    TM_RETURN_IF_ERROR(st);
    Progress("  reconciled " + pending.intent.resource.Display());
  }
  if (!conflicts_.empty()) {
    return Status::Conflict(std::to_string(conflicts_.size()) +
                            " interrupted change(s) found a value that is neither before nor "
                            "after; choose --accept-current or --reapply");
  }
  if (!run->in_doubt.empty()) {
    // Reconciling appended outcomes: fold again so an action whose change was
    // recovered counts as effective (its re-run then finds nothing left to change).
    TM_ASSIGN_OR_RETURN(state, FoldRun(log_, run_id));
    run = state.FindRun(run_id);
    if (!run) return Status::NotFound("no run '" + run_id + "' in the journal");
  }
  return RunFrom(plan, w, run, ro);
}

Status Executor::ResumeStep(const Plan& plan, ChangeWriter& w, const Step& step,
                            const StepState& ss, const ResumeOptions& ro, size_t& first,
                            std::vector<int>& lenient) {
  const int last = std::max(ss.last_action, 0);
  first = static_cast<size_t>(last);
  const Action* at = first < step.actions.size() ? &step.actions[first] : nullptr;
  const Action* open = nullptr;
  if (ss.open_action && ss.open_action->index < step.actions.size()) {
    open = &step.actions[ss.open_action->index];
  }
  // A checkpoint interrupted is simply taken again; exec and manual are not.
  const bool interrupted_opaque = ss.open_action && !(open && open->As<TakeCheckpoint>());
  const bool failed_opaque =
      at && IsOpaque(*at) && ss.status == StepStatus::kFailed && ss.last_action >= 0;
  if (!interrupted_opaque && !failed_opaque) {
    if (ss.effective_actions.count(last)) {
      lenient.push_back(last);  // partly applied before: "nothing left to change" is fine
    }
    return Status::Ok();
  }
  const std::string what =
      at ? std::string(at->KindName()) + " `" + OpaqueDetail(*at) + "`" : "an action";
  if (interrupted_opaque && ss.open_exit) {
    // The program had ended and its exit was recorded; the interruption came
    // before the changes it made were: finish the action as it would have.
    const ProcessExited& exited = *ss.open_exit;
    Progress("  " + what + " had ended before the interruption (exit " +
             std::to_string(exited.exit_code) + "); recording the changes it made");
    TM_ASSIGN_OR_RETURN(auto before, JournaledScan(*ss.open_action));
    TM_RETURN_IF_ERROR(RecordObserved(w, plan, before,
                                      ActionFinished{static_cast<uint32_t>(last), exited.exit_code}));
    if (!exited.failure.empty()) {
      return FailStep(w, Status::Failed(std::string(at ? at->KindName() : "exec") + " " +
                                        exited.failure));
    }
    first = static_cast<size_t>(last) + 1;
    return Status::Ok();
  }
  if (interrupted_opaque && ss.open_process && !ro.despite_running &&
      process::ProcessLiveness(ss.open_process->pid, ss.open_process->start_id) ==
          process::Liveness::kRunning) {
    return Status::Locked("step " + step.id + "'s " + what + " is still running (process " +
                          std::to_string(ss.open_process->pid) +
                          "): it outlived the tidemark that started it. Wait for it to end, or "
                          "end it, then resume (`tidemark resume --despite-running` goes on "
                          "while it runs)");
  }
  if (!ro.rerun_step && !ro.step_done) {
    return Status::Conflict("step " + step.id + " " +
                            (interrupted_opaque ? "was interrupted during" : "failed in") +
                            " its " + what +
                            "; it is never re-run silently. Run `tidemark resume "
                            "--rerun-step` to run it again, or `tidemark resume "
                            "--step-done` if it was completed by hand");
  }
  TM_RETURN_IF_ERROR(
      w.Append(Decision{0, ro.rerun_step ? "rerun-step" : "step-done", Value::Absent(), what})
          .status());
  if (!ro.step_done) {
    // The rerun's observed changes are taken against the first attempt's
    // pre-action scan: what the interrupted attempt changed is recorded too.
    if (interrupted_opaque && !ss.open_action->scan_blob.empty()) {
      TM_ASSIGN_OR_RETURN(auto before, JournaledScan(*ss.open_action));
      prior_scan_.emplace(static_cast<uint32_t>(last), std::move(before));
    }
    return Status::Ok();
  }
  if (interrupted_opaque) {
    snapshots::ScanImage before;
    if (!ss.open_action->scan_blob.empty()) {
      TM_ASSIGN_OR_RETURN(before, JournaledScan(*ss.open_action));
    }
    TM_RETURN_IF_ERROR(
        RecordObserved(w, plan, before, ActionFinished{static_cast<uint32_t>(last), 0}));
  }
  first = static_cast<size_t>(last) + 1;
  return Status::Ok();
}

Result<snapshots::ScanImage> Executor::JournaledScan(const ActionStarted& started) const {
  TM_ASSIGN_OR_RETURN(auto blob, log_.GetBlob(started.scan_blob));
  if (!blob) return Status::Corruption("pre-action scan blob is missing");
  return DecodeScanImage(*blob, log_);
}

Status Executor::RunFrom(const Plan& plan, ChangeWriter& w, const RunState* run,
                         const ResumeOptions& ro) {
  for (size_t si = 0; si < plan.steps.size(); ++si) {
    const Step& step = plan.steps[si];
    const StepState* ss = run ? run->FindStep(step.id) : nullptr;
    if (ss && (ss->status == StepStatus::kFinished || ss->status == StepStatus::kSkipped)) continue;
    size_t first = 0;
    std::vector<int> lenient;
    w.set_step(step.id);
    if (ss) {
      TM_RETURN_IF_ERROR(ResumeStep(plan, w, step, *ss, ro, first, lenient));
      TM_RETURN_IF_ERROR(w.Append(StepStarted{step.title + " (resumed)", step.ActionKinds()}).status());
    } else {
      TM_RETURN_IF_ERROR(w.Append(StepStarted{step.title, step.ActionKinds()}).status());
    }
    Progress("[" + std::to_string(si + 1) + "/" + std::to_string(plan.steps.size()) + "] " +
             step.id + ": " + step.title);
    TM_RETURN_IF_ERROR(RunStep(plan, w, step, first, lenient));
    TM_RETURN_IF_ERROR(w.Append(StepFinished{}).status());
    TM_RETURN_IF_ERROR(MaybeSnapshot(log_).status());  // every N events (engine/fold.h)
  }
  w.set_step("");
  TM_RETURN_IF_ERROR(w.Append(RunFinished{}).status());
  Progress("run " + w.run() + " finished");
  return Status::Ok();
}

Status Executor::RunStep(const Plan& plan, ChangeWriter& w, const Step& step, size_t first,
                         const std::vector<int>& lenient) {
  for (size_t i = first; i < step.actions.size(); ++i) {
    if (process::StopRequested()) {
      return Status::RunStopped("stopped by signal after the last recorded action; run "
                                "`tidemark resume` to continue run " + w.run());
    }
    const bool is_lenient =
        std::find(lenient.begin(), lenient.end(), static_cast<int>(i)) != lenient.end();
    Status st = RunAction(plan, w, step, i, is_lenient);
    if (!st.ok()) {
      if (w.journal_failed()) return st;  // the record itself failed: no more appends
      const Action& a = step.actions[i];
      if (a.allow_failure && !w.in_doubt() && st.code() != StatusCode::kCorruption) {
        TM_RETURN_IF_ERROR(AllowFailure(w, a, st));
        continue;
      }
      return FailStep(w, st);
    }
  }
  return Status::Ok();
}

// The plan says this action's error can be ignored (the manual does, e.g. a
// disabled DCAlerter that will not start): the failure is recorded as a
// decision of the plan and the step goes on.
Status Executor::AllowFailure(ChangeWriter& w, const Action& a, const Status& failure) {
  const std::string why = secrets_.Redact(failure.message());
  TM_RETURN_IF_ERROR(w.Append(Decision{0, "allowed-failure", Value::Absent(),
                                       std::string(a.KindName()) + " at " + a.where + ": " + why})
                         .status());
  Progress("  failed, and the plan allows it (allow_failure): " + why);
  return Status::Ok();
}

Status Executor::RunAction(const Plan& plan, ChangeWriter& w, const Step& step, size_t index,
                           bool lenient) {
  const Action& a = step.actions[index];
  return std::visit(
      [&](const auto& kind) -> Status {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (OpaqueAction<T>) {
          return RunOpaque(plan, w, a);
        } else if constexpr (std::is_same_v<T, TakeCheckpoint>) {
          return RunCheckpoint(w, kind, a.position);
        } else if constexpr (std::is_same_v<T, Assert>) {
          return RunAssert(w, a, kind);
        } else {
          return RunMutation(w, a, lenient);
        }
      },
      a.body);
}

Status Executor::RunMutation(ChangeWriter& w, const Action& a, bool lenient) {
  std::string note;
  TM_ASSIGN_OR_RETURN(auto changes, ExpandAction(targets_, a, lenient, &note));
  if (!note.empty()) Progress("  " + note);
  for (const auto& c : changes) {
    const int before_applied = w.applied();
    TM_RETURN_IF_ERROR(w.Apply(c));
    auto show = [&](const Value& v) { return store::ShowValue(v, &c.resource, c.secret, false); };
    if (w.applied() > before_applied) {
      Progress("  changed " + c.resource.Display() + ": " + show(w.last_before()) + " → " +
               show(w.last_after()));
    } else {
      Progress("  unchanged " + c.resource.Display() + " (already " + show(w.last_before()) + ")");
    }
  }
  return Status::Ok();
}

Status Executor::RunAssert(ChangeWriter& w, const Action& a, const Assert& check) {
  Value current;
  TM_ASSIGN_OR_RETURN(std::string failure, Check(check, a.secret, targets_, current));
  const Resource& r = check.resource;
  if (!failure.empty()) return Status::Failed("assert " + r.Display() + ": " + failure);
  if (check.free_percent) {
    // The file was measured, not read: a record of the check, not of its value.
    TM_RETURN_IF_ERROR(w.Append(Decision{0, "free-space-checked", Value::Absent(),
                                         r.Display() + ": " + current.bytes}).status());
    Progress("  verified " + r.Display() + ": " + current.bytes);
    return Status::Ok();
  }
  TM_RETURN_IF_ERROR(
      w.Append(Noop{r, current, std::string(a.KindName()), a.secret, a.position}).status());
  Progress("  verified " + r.Display());
  return Status::Ok();
}

Status Executor::RunCheckpoint(ChangeWriter& w, const TakeCheckpoint& a, ActionPosition at) {
  const uint32_t index = at.action;
  TM_RETURN_IF_ERROR(
      w.Append(ActionStarted{index, std::string(a.kKind), a.name, ""}).status());
  Checkpoint cp;
  cp.name = a.name;
  for (const auto& db_name : a.databases) {
    TM_ASSIGN_OR_RETURN(auto* db, targets_.Sql(db_name));
    const DatabaseConfig* cfg = targets_.env().FindDatabase(db_name);
    snapshots::BackupOptions limits;
    if (cfg->backup_timeout) limits.timeout = *cfg->backup_timeout;
    TM_ASSIGN_OR_RETURN(auto driver, snapshots::MakeBackupDriver(*db, limits));
    const auto dest = cfg->backups / w.run() / a.name;
    auto backup = driver->Backup(dest);
    if (!backup.ok()) {
      return Status::Failed("backup of database " + db_name + " failed: " +
                            backup.status().message());
    }
    Progress("  backed up " + db_name + " → " + backup->file + " (" +
             std::to_string(backup->size) + " bytes, verified)");
    cp.backups.push_back(backup.value());
  }
  // The state up to the event before the checkpoint (engine/fold.h).
  TM_ASSIGN_OR_RETURN(cp.snapshot_seq, WriteSnapshot(log_));
  TM_RETURN_IF_ERROR(w.Append(cp).status());
  TM_RETURN_IF_ERROR(w.Append(ActionFinished{index, 0}).status());
  Progress("  checkpoint '" + a.name + "' recorded");
  return Status::Ok();
}

Executor::OpaqueOutcome Executor::RunCommand(ChangeWriter& w, const Exec& exec, uint32_t index) {
  const auto log_file = options_.log_dir / (w.run() + "-" + w.step() + ".log");
  Progress("  running " + exec.CommandLine() + " (output also in " + log_file.string() + ")");
  process::RunOptions run;
  run.log_file = log_file;
  run.timeout = std::chrono::seconds(exec.timeout_seconds);
  const auto started = std::chrono::steady_clock::now();
  // Each line as it comes, with the time since the start: an installer that
  // is silent for minutes shows so, and a hung one is seen to be hung.
  run.on_line = [&](std::string_view line) {
    Progress("    [" + ElapsedText(std::chrono::steady_clock::now() - started) + "] " +
             std::string(line));
  };
  // Which process it is, recorded before it is waited for: a tidemark killed
  // while it runs can later tell whether it still runs (process_identity.h).
  Status recorded;
  run.on_started = [&](int64_t pid) {
    recorded = w.Append(ProcessStarted{index, pid, process::StartIdentity(pid)}).status();
    return recorded.ok();
  };
  auto result = process::Run(exec.shell ? process::Command::Shell(
                                              exec.command.empty() ? "" : exec.command[0])
                                        : process::Command::Argv(exec.command),
                             run);
  if (!recorded.ok()) return {127, "", recorded};
  if (!result.ok()) return {127, result.status().message()};
  Progress("  " + result->Describe() + " after " +
           ElapsedText(std::chrono::steady_clock::now() - started));
  if (result->interrupted) {
    return {result->exit_code, "stopped by a signal; the command was killed "
                               "(`tidemark resume --rerun-step` runs it again)"};
  }
  if (result->timed_out || result->exit_code != 0) {
    return {result->exit_code,
            result->Describe() + " (log: " + log_file.string() + ")\n" + result->tail};
  }
  return {0, ""};
}

Executor::OpaqueOutcome Executor::Confirm(const Manual& manual, const std::string& step_id) {
  if (manual.judge) {
    const std::string prompt = secrets_.Redact(manual.prompt);
    if (options_.confirmed_steps.count(step_id)) {
      Progress("  manual step confirmed by --confirm " + step_id + ": " + prompt);
      return {0, ""};
    }
    if (options_.confirm && options_.confirm(prompt + " [your judgement: --yes does not answer this]")) {
      return {0, ""};
    }
    if (!options_.confirm) Progress("  manual step needs your judgement: " + prompt);
    return {1, "not confirmed: it asks for your judgement, which --yes does not give; "
               "answer at the prompt, or pass --confirm " + step_id + " once you have checked"};
  }
  bool confirmed = options_.yes;
  if (confirmed) {
    Progress("  manual step confirmed by --yes: " + secrets_.Redact(manual.prompt));
  } else if (options_.confirm) {
    confirmed = options_.confirm(secrets_.Redact(manual.prompt));
  } else if (!confirmed) {
    Progress("  manual step needs confirmation: " + manual.prompt);
  }
  if (confirmed) return {0, ""};
  return {1, "not confirmed (answer at the prompt, or pass --yes in scripts)"};
}

Status Executor::RunOpaque(const Plan& plan, ChangeWriter& w, const Action& a) {
  const uint32_t index = a.position.action;
  snapshots::ScanImage before;
  if (prior_scan_ && prior_scan_->first == index) {
    before = std::move(prior_scan_->second);
  } else {
    TM_ASSIGN_OR_RETURN(before, targets_.Scan(plan.watch));
  }
  prior_scan_.reset();
  const std::string image = EncodeScanImage(before);
  std::vector<std::string> blobs = {image};
  for (const auto& [id, entry] : before) {
    if (entry.content) blobs.push_back(*entry.content);
  }
  TM_RETURN_IF_ERROR(w.Append(ActionStarted{index, std::string(a.KindName()), OpaqueDetail(a),
                                            Sha256Hex(image)},
                              blobs)
                         .status());
  const OpaqueOutcome outcome = std::visit(
      [&](const auto& kind) -> OpaqueOutcome {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, Exec>) return RunCommand(w, kind, index);
        if constexpr (std::is_same_v<T, Manual>) return Confirm(kind, plan.steps.at(a.position.step).id);
        return {1, "is not an opaque action"};
      },
      a.body);
  TM_RETURN_IF_ERROR(outcome.journal);
  if (a.As<Exec>()) {
    // Its exit first: if tidemark stops before the changes are recorded,
    // resume knows the program ended and finishes the action itself.
    TM_RETURN_IF_ERROR(
        w.Append(ProcessExited{index, outcome.exit_code, secrets_.Redact(outcome.failure)}).status());
  }
  TM_RETURN_IF_ERROR(RecordObserved(w, plan, before, ActionFinished{index, outcome.exit_code}));
  if (!outcome.failure.empty()) {
    return Status::Failed(std::string(a.KindName()) + " " + outcome.failure);
  }
  return Status::Ok();
}

Status Executor::RecordObserved(ChangeWriter& w, const Plan& plan,
                                const snapshots::ScanImage& before,
                                std::optional<EventBody> closing) {
  TM_ASSIGN_OR_RETURN(auto after, targets_.Scan(plan.watch));
  const auto changes = snapshots::Diff(before, after);
  std::vector<EventBody> bodies;
  std::vector<std::string> blobs;
  for (const auto& c : changes) {
    EventBody body = Observed{c.resource, c.before, c.after, false};
    std::vector<std::string> contents;
    if (c.before_content) contents.push_back(*c.before_content);
    if (c.after_content) contents.push_back(*c.after_content);
    secrets_.Mark(body, contents);
    const bool secret = std::get<Observed>(body).secret;
    Progress("  observed " + c.resource.Display() + ": " +
             store::ShowValue(c.before, &c.resource, secret, false) + " → " +
             store::ShowValue(c.after, &c.resource, secret, false));
    bodies.push_back(std::move(body));
    blobs.insert(blobs.end(), contents.begin(), contents.end());
  }
  if (closing) bodies.push_back(std::move(*closing));
  if (bodies.empty()) return Status::Ok();
  return w.AppendBatch(std::move(bodies), blobs).status();
}

}  // namespace tidemark::engine
