// The state fold: one event at a time, no I/O.
#include "engine/state.h"

#include <algorithm>
#include <iterator>

namespace tidemark::engine {
const char* StepStatusName(StepStatus s) {
  switch (s) {
    case StepStatus::kRunning: return "running";
    case StepStatus::kFinished: return "done";
    case StepStatus::kFailed: return "failed";
    case StepStatus::kSkipped: return "skipped";
  }
  return "?";
}

const char* RunStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning: return "unfinished";
    case RunStatus::kFinished: return "finished";
    case RunStatus::kFailed: return "failed";
  }
  return "?";
}

StepState* RunState::FindStep(const std::string& step_id) {
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if (it->id == step_id) return &*it;
  }
  return nullptr;
}

const StepState* RunState::FindStep(const std::string& step_id) const {
  return const_cast<RunState*>(this)->FindStep(step_id);
}

const RunState* State::FindRun(const std::string& id) const {
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : &it->second;
}

const RunState* State::NewestRun() const {
  return run_order_.empty() ? nullptr : FindRun(run_order_.back());
}

RunState* State::Run(const Event& e) {
  if (e.run.empty()) return nullptr;
  auto it = runs_.find(e.run);
  if (it == runs_.end()) return nullptr;
  it->second.last_seq = e.seq;
  it->second.last_ns = e.time_ns;
  return &it->second;
}

void State::SetResource(const Resource& r, const Value& v, uint64_t seq, bool secret) {
  auto& slot = resources_[r.Identity()];
  slot.resource = r;
  slot.value = v;
  slot.seq = seq;
  slot.secret = slot.secret || secret;
}

void State::ApplyChange(const RecordedChange& c, uint64_t seq, RunState* run, StepState* step) {
  const int index = c.ActionIndex();
  auto note_action = [&] {
    if (step && index > step->last_action) step->last_action = index;
  };
  if (c.outcome == Outcome::kInDoubt) {
    if (run) run->in_doubt[c.seq] = PendingIntent{c.seq, c.step, c.AsIntent()};
    note_action();
    return;
  }
  if (c.is_intent()) {  // settled: no longer in doubt in the intent's run
    auto owner = runs_.find(c.run);
    if (owner != runs_.end()) {
      owner->second.in_doubt.erase(c.seq);
      StepState* s = owner->second.FindStep(c.step);
      if (s && index >= 0 && (c.outcome == Outcome::kApplied || c.outcome == Outcome::kRecovered)) {
        s->effective_actions.insert(index);
      }
    }
  }
  if (c.outcome == Outcome::kFailed) return;
  SetResource(c.resource, c.after, seq, c.secret);
  if (run && c.effective() && c.outcome != Outcome::kAccepted) ++run->changes;
  if (c.outcome == Outcome::kNoop) {
    note_action();
    if (step && index >= 0) step->effective_actions.insert(index);
  }
}

void State::Apply(const Event& e) {
  seq_ = e.seq;
  time_ns_ = e.time_ns;
  if (const auto* started = std::get_if<RunStarted>(&e.body)) {
    RunState run;
    run.id = e.run;
    run.info = *started;
    run.host = e.host;
    run.user = e.user;
    run.start_seq = e.seq;
    run.start_ns = e.time_ns;
    runs_[e.run] = std::move(run);
    run_order_.push_back(e.run);
  }
  RunState* run = Run(e);
  StepState* step = run ? run->FindStep(e.step) : nullptr;
  auto note_action = [&](int index) {
    if (step && index > step->last_action) step->last_action = index;
  };
  // Without a lookup the fold cannot fail; an outcome naming no intent is ignored.
  auto change = outcomes_.Apply(e);
  if (change.ok() && change.value() != nullptr) ApplyChange(*change.value(), e.seq, run, step);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, RunFinished>) {
          if (run) {
            run->status = RunStatus::kFinished;
            run->error.clear();  // a failure it was resumed from is over
          }
        } else if constexpr (std::is_same_v<T, RunFailed>) {
          if (run) {
            run->status = RunStatus::kFailed;
            run->error = body.error;
          }
        } else if constexpr (std::is_same_v<T, StepStarted>) {
          if (run) {
            StepState s;
            // A step resumed is one step, attempted again: it keeps what its
            // earlier attempt recorded (where it got to, the action it was
            // interrupted in), so a kill right after it is resumed never
            // re-runs or forgets that action, and it is listed once.
            auto earlier = std::find_if(run->steps.rbegin(), run->steps.rend(),
                                        [&](const StepState& x) { return x.id == e.step; });
            if (earlier != run->steps.rend() && earlier->status != StepStatus::kFinished &&
                earlier->status != StepStatus::kSkipped) {
              s = std::move(*earlier);
              run->steps.erase(std::next(earlier).base());
              s.status = StepStatus::kRunning;
              s.ended_seq = 0;
              s.ended_ns = 0;
              s.error.clear();
              ++s.attempts;
            }
            s.id = e.step;
            s.title = body.title;
            s.started_seq = e.seq;
            s.started_ns = e.time_ns;
            run->steps.push_back(std::move(s));
            // A run that stopped and is resumed is running again.
            run->status = RunStatus::kRunning;
            run->error.clear();
          }
        } else if constexpr (std::is_same_v<T, StepFinished> || std::is_same_v<T, StepFailed> ||
                             std::is_same_v<T, StepSkipped>) {
          if (step) {
            step->ended_seq = e.seq;
            step->ended_ns = e.time_ns;
            if constexpr (std::is_same_v<T, StepFinished>) step->status = StepStatus::kFinished;
            if constexpr (std::is_same_v<T, StepFailed>) {
              step->status = StepStatus::kFailed;
              step->error = body.error;
            }
            if constexpr (std::is_same_v<T, StepSkipped>) step->status = StepStatus::kSkipped;
          }
        } else if constexpr (std::is_same_v<T, Checkpoint>) {
          if (run) run->checkpoints.push_back(e.seq);
          checkpoints_[body.name] = CheckpointState{e.seq, e.run, body};
        } else if constexpr (std::is_same_v<T, RollbackStarted>) {
          if (run) {
            run->in_rollback = true;
            run->rollback = body;
            run->status = RunStatus::kRunning;
          }
        } else if constexpr (std::is_same_v<T, RollbackFinished>) {
          if (run) run->in_rollback = false;
        } else if constexpr (std::is_same_v<T, Decision>) {
          if (step && body.choice == "step-done") step->CloseAction();
        } else if constexpr (std::is_same_v<T, ActionStarted>) {
          if (step) {
            step->CloseAction();
            step->open_action = body;
          }
          note_action(static_cast<int>(body.index));
        } else if constexpr (std::is_same_v<T, ActionFinished>) {
          if (step) step->CloseAction();
        } else if constexpr (std::is_same_v<T, ProcessStarted>) {
          if (step && step->open_action) step->open_process = body;
        } else if constexpr (std::is_same_v<T, ProcessExited>) {
          if (step && step->open_action) step->open_exit = body;
        }
      },
      e.body);
}

}  // namespace tidemark::engine
