// State: the pure, deterministic fold of journal events (DESIGN.md §4) — for
// every resource its last known value and the seq that set it; for every run
// its steps, in-doubt intents, opaque actions in progress and checkpoints.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/outcomes.h"
#include "store/event.h"

namespace tidemark::engine {

struct ResourceState {
  Resource resource;
  Value value;
  uint64_t seq = 0;  // event that established the value
  bool secret = false;
};

enum class StepStatus { kRunning, kFinished, kFailed, kSkipped };
const char* StepStatusName(StepStatus s);

struct StepState {
  std::string id;
  std::string title;
  StepStatus status = StepStatus::kRunning;
  uint64_t started_seq = 0;
  uint64_t ended_seq = 0;
  int64_t started_ns = 0;
  int64_t ended_ns = 0;
  std::string error;
  int last_action = -1;                // highest action index with a recorded effect
  std::set<int> effective_actions;     // action indices with an applied change or noop
  int attempts = 1;                    // 2 and more: resumed after a stop
  std::optional<ActionStarted> open_action;  // opaque action started, not finished
  std::optional<ProcessStarted> open_process;  // the open exec's program, once it started
  std::optional<ProcessExited> open_exit;      // ... and once it ended
  void CloseAction() {
    open_action.reset();
    open_process.reset();
    open_exit.reset();
  }
};

struct PendingIntent {
  uint64_t seq = 0;
  std::string step;
  Intent intent;
};

enum class RunStatus { kRunning, kFinished, kFailed };
const char* RunStatusName(RunStatus s);

struct CheckpointState {
  uint64_t seq = 0;
  std::string run;
  Checkpoint checkpoint;
};

struct RunState {
  std::string id;
  RunStarted info;
  std::string host, user;
  uint64_t start_seq = 0;
  uint64_t last_seq = 0;
  int64_t start_ns = 0;
  int64_t last_ns = 0;
  RunStatus status = RunStatus::kRunning;
  std::string error;
  std::vector<StepState> steps;                 // in the order they started
  std::map<uint64_t, PendingIntent> in_doubt;   // intent seq → intent without outcome
  std::vector<uint64_t> checkpoints;            // seqs of checkpoint events
  bool in_rollback = false;                     // rollbackStarted without rollbackFinished
  std::optional<RollbackStarted> rollback;      // set for rollback runs
  uint64_t changes = 0;                         // applied + observed events

  StepState* FindStep(const std::string& step_id);
  const StepState* FindStep(const std::string& step_id) const;
};

class State {
 public:
  // Folds one event (events must come in seq order).
  void Apply(const Event& e);

  uint64_t seq() const { return seq_; }
  int64_t time_ns() const { return time_ns_; }
  const std::map<std::string, ResourceState>& resources() const { return resources_; }
  const std::map<std::string, RunState>& runs() const { return runs_; }
  const std::vector<std::string>& run_order() const { return run_order_; }
  const RunState* FindRun(const std::string& id) const;
  const RunState* NewestRun() const;
  // Checkpoints by name (the newest with that name wins), for POINT lookups.
  const std::map<std::string, CheckpointState>& checkpoints() const { return checkpoints_; }


 private:
  friend class StateCodec;
  RunState* Run(const Event& e);
  // What a change begun or settled by the event at `seq` does to the state.
  void ApplyChange(const RecordedChange& c, uint64_t seq, RunState* run, StepState* step);
  void SetResource(const Resource& r, const Value& v, uint64_t seq, bool secret);

  uint64_t seq_ = 0;
  int64_t time_ns_ = 0;
  std::map<std::string, ResourceState> resources_;
  std::map<std::string, RunState> runs_;
  std::vector<std::string> run_order_;
  std::map<std::string, CheckpointState> checkpoints_;
  OutcomeFold outcomes_;  // matches outcomes with intents; not part of a snapshot
};

}  // namespace tidemark::engine
