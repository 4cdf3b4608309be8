// Executor: runs a plan against the targets (apply) and continues an
// interrupted or failed run (resume), recording every mutation before it
// happens (DESIGN.md §5). Output goes through callbacks; nothing is printed.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "engine/change_writer.h"
#include "engine/plan.h"
#include "engine/state.h"
#include "engine/target_set.h"
#include "store/event_log.h"

namespace tidemark::engine {

struct ExecOptions {
  // Confirms a `manual` step; nullptr with `yes` false means "cannot ask": the
  // step stops the run (exit 4) with the prompt shown.
  std::function<bool(const std::string& prompt)> confirm;
  bool yes = false;
  // --confirm STEP: the judged manual steps (judge: true) of these steps are
  // confirmed; --yes confirms only the others.
  std::set<std::string> confirmed_steps;
  // One line per notable thing (step started/finished, changes, observed).
  std::function<void(const std::string& line)> progress;
  std::string command_line;
  // Where exec output logs go (default: <journal>/exec-logs).
  std::filesystem::path log_dir;
};

struct ResumeOptions {
  ResumeChoice choice = ResumeChoice::kNone;
  bool rerun_step = false;  // re-run an interrupted exec/manual action
  bool step_done = false;   // the admin finished it by hand: record and go on
  // Go on although the interrupted exec's program still runs (it outlived
  // the tidemark that started it); without it resume refuses (Locked).
  bool despite_running = false;
};

class Executor {
 public:
  Executor(store::EventLog& log, TargetSet& targets, ExecOptions options);

  // Starts a new run; `run_id` receives its id as soon as it is recorded.
  // RunStopped (exit 4) when an action or assert fails; the run is resumable.
  Status Apply(const Plan& plan, std::string* run_id);

  // Continues `run_id`. Conflict (exit 3) with conflicts() filled when an
  // in-doubt change needs a decision; Conflict for an interrupted exec/manual
  // without --rerun-step/--step-done.
  Status Resume(const Plan& plan, const std::string& run_id, const ResumeOptions& options);

  const std::vector<ConflictInfo>& conflicts() const { return conflicts_; }

  static std::string NewRunId();

 private:
  // How an exec or manual action ended (failure "" = it succeeded).
  struct OpaqueOutcome {
    OpaqueOutcome(int code = 0, std::string why = "", Status record = Status::Ok())
        : exit_code(code), failure(std::move(why)), journal(std::move(record)) {}
    int exit_code;
    std::string failure;
    Status journal;  // not ok: the program's start could not be recorded
  };

  Status RunFrom(const Plan& plan, ChangeWriter& w, const RunState* run, const ResumeOptions& ro);
  // Where a step recorded in `ss` continues: `first` action, `lenient` ones.
  // Conflict for an interrupted or failed exec/manual without a choice.
  Status ResumeStep(const Plan& plan, ChangeWriter& w, const Step& step, const StepState& ss,
                    const ResumeOptions& ro, size_t& first, std::vector<int>& lenient);
  Status RunStep(const Plan& plan, ChangeWriter& w, const Step& step, size_t first_action,
                 const std::vector<int>& lenient_actions);
  Status RunAction(const Plan& plan, ChangeWriter& w, const Step& step, size_t index,
                   bool lenient);
  Status RunMutation(ChangeWriter& w, const Action& a, bool lenient);
  Status RunOpaque(const Plan& plan, ChangeWriter& w, const Action& a);
  OpaqueOutcome RunCommand(ChangeWriter& w, const Exec& exec, uint32_t index);
  OpaqueOutcome Confirm(const Manual& manual, const std::string& step_id);
  Status RunCheckpoint(ChangeWriter& w, const TakeCheckpoint& a, ActionPosition at);
  Status RunAssert(ChangeWriter& w, const Action& a, const Assert& check);
  // Records what the watch scan shows changed since `before`, and `closing`
  // (the action's actionFinished) with it in one atomic batch.
  Status RecordObserved(ChangeWriter& w, const Plan& plan, const snapshots::ScanImage& before,
                        std::optional<EventBody> closing);
  // The pre-action watch scan journaled with an interrupted action.
  Result<snapshots::ScanImage> JournaledScan(const ActionStarted& started) const;
  Status FailStep(ChangeWriter& w, const Status& why);
  Status AllowFailure(ChangeWriter& w, const Action& a, const Status& failure);
  void Progress(const std::string& line) const;

  store::EventLog& log_;
  TargetSet& targets_;
  ExecOptions options_;
  std::vector<ConflictInfo> conflicts_;
  store::SecretPolicy secrets_;  // the current plan's secret strings
  // --rerun-step of an interrupted exec/manual: the first attempt's
  // pre-action scan (action index, image), so the rerun's observed changes
  // include what the first attempt changed.
  std::optional<std::pair<uint32_t, snapshots::ScanImage>> prior_scan_;
};

// Scan images are kept as blobs so an interrupted installer's changes can
// still be recorded on resume: a sequence of (8-byte length, Observed event).
std::string EncodeScanImage(const snapshots::ScanImage& image);
Result<snapshots::ScanImage> DecodeScanImage(std::string_view bytes, const store::EventLog& log);

}  // namespace tidemark::engine
