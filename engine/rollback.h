// Rollback: reverse actions generated from the journal (DESIGN.md §5). Every
// effective change after the target point — applied, observed, decisions and
// earlier reverse actions — newest first, each restoring its `before`, after
// a three-way check. A rollback is itself a run (run kind rollback), so an
// interrupted one is continued by `resume` or by running rollback again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/change_writer.h"
#include "engine/state.h"
#include "engine/target_set.h"
#include "store/event_log.h"

namespace tidemark::engine {

// One change to undo.
struct ReverseStep {
  uint64_t seq = 0;          // the event whose change is reversed
  Resource resource;
  Value recorded_after;      // what the change left
  Value restore;             // what it was before (absent = delete)
  Value current;             // live value (filled by Plan)
  bool conflict = false;     // current != recorded_after
  bool secret = false;
  bool via_database_restore = false;  // covered by --restore-databases
};

struct RollbackOptions {
  bool dry_run = false;
  bool force = false;
  bool restore_databases = false;
  std::string command_line;
  std::function<void(const std::string&)> progress;
};

// Resolves POINT (DESIGN.md §7): a seq, an ISO-8601 time, a checkpoint name or
// "start" (the start of the newest run). Returns the seq *after which*
// changes are undone. NotFound / InvalidInput for an unknown point.
Result<uint64_t> ResolvePoint(const store::EventLog& log, const std::string& point);

class Rollback {
 public:
  Rollback(store::EventLog& log, TargetSet& targets, RollbackOptions options)
      : log_(log), targets_(targets), options_(std::move(options)) {}

  // The reverse plan: changes after `target_seq` not yet reversed, newest first,
  // with live values and conflicts.
  Result<std::vector<ReverseStep>> PlanReverse(uint64_t target_seq, const Checkpoint* checkpoint);

  // Runs a new rollback to `point` (or only plans it with dry_run). Conflict
  // (exit 3) lists conflicts() unless force.
  Status Run(const std::string& point, std::string* run_id);
  // Continues an interrupted rollback run.
  Status Continue(const std::string& run_id, ResumeChoice choice);

  const std::vector<ReverseStep>& plan() const { return plan_; }
  const std::vector<ConflictInfo>& conflicts() const { return conflicts_; }

 private:
  // Applies plan_ (PlanReverse's, made by the caller: once per run).
  Status Execute(ChangeWriter& w, const std::optional<Checkpoint>& cp, bool restore_databases,
                 bool force);
  void Progress(const std::string& line) const {
    if (options_.progress) options_.progress(line);
  }

  store::EventLog& log_;
  TargetSet& targets_;
  RollbackOptions options_;
  std::vector<ReverseStep> plan_;
  std::vector<ConflictInfo> conflicts_;
};

// Parses "2026-11-24T02:10:00Z" or "...+01:00" into UTC nanoseconds.
std::optional<int64_t> ParseTime(const std::string& text);

}  // namespace tidemark::engine
