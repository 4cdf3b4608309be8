// Outcomes: the one fold that pairs each intent with what became of it
// (applied, recovered by resume, failed, settled by an accept-current decision)
// and records observed changes and no-ops beside them. Pure and deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/event.h"
#include "store/status.h"

namespace tidemark::engine {

enum class Outcome {
  kInDoubt,    // intent recorded, no outcome yet
  kApplied,    // applied
  kRecovered,  // applied, found already done by resume
  kFailed,     // the write failed
  kAccepted,   // the admin kept the value found on resume (decision accept-current)
  kObserved,   // found by scanning around an opaque step
  kNoop,       // already in the desired state
};
// "in doubt", "applied", "applied (recovered)", "failed", "accepted current",
// "observed", "noop".
const char* OutcomeName(Outcome o);

// One change as the journal records it.
struct RecordedChange {
  uint64_t seq = 0;          // the intent, observed or noop event
  uint64_t outcome_seq = 0;  // the event that settled it (= seq for observed/noop; 0 in doubt)
  std::string run, step;     // of the event at `seq`
  Resource resource;
  Value before;
  // What it left: read back, the accepted current value, the observed after;
  // the intended after while in doubt or failed.
  Value after;
  std::string action;        // the plan action (intents, no-ops)
  uint64_t reverses = 0;     // a reverse action: the effective change it undoes
  bool secret = false;       // any of its events is marked secret
  Outcome outcome = Outcome::kInDoubt;
  std::string error;         // failed: why
  // Where the plan action is (intents, no-ops; nullopt in older journals,
  // whose `action` label carries the index instead: store/event_compat.h).
  std::optional<ActionPosition> position;

  // The plan action's index in its step, or -1 when unknown.
  int ActionIndex() const;

  // The resource holds `after` because of this change (applied, recovered,
  // accepted, observed): what rollback undoes.
  bool effective() const;
  bool is_intent() const { return outcome != Outcome::kObserved && outcome != Outcome::kNoop; }
  // The intent as recorded (intents only; `after` is the intended value while
  // in doubt).
  Intent AsIntent() const;
};

class OutcomeFold {
 public:
  // Reads the event at `seq` for an outcome naming an intent the fold has not
  // seen (an intent before the folded range). Its errors stop the fold.
  using Lookup = std::function<Result<Event>(uint64_t seq)>;

  OutcomeFold() = default;
  explicit OutcomeFold(Lookup lookup) : lookup_(std::move(lookup)) {}

  // Folds one event (in seq order). Returns the change it began (intent,
  // observed, noop) or settled (applied, failed, accept-current decision), or
  // nullptr. Without a lookup an outcome naming an unknown intent is nullptr;
  // with one it is Corruption when the named event is not an intent, and
  // whatever the lookup returns when it cannot be read.
  Result<const RecordedChange*> Apply(const Event& e);

  // Every change folded so far, in the order they were folded (an intent read
  // through the lookup comes when its outcome is folded).
  const std::vector<RecordedChange>& changes() const { return changes_; }
  // The change begun at `seq`, or nullptr.
  const RecordedChange* Find(uint64_t seq) const;
  // Starts from an intent still in doubt (a fold resumed from a snapshot).
  void AddInDoubt(uint64_t seq, const std::string& run, const std::string& step,
                  const Intent& intent);

 private:
  Result<RecordedChange*> IntentFor(uint64_t intent_seq);
  RecordedChange& Add(RecordedChange change);

  Lookup lookup_;
  std::vector<RecordedChange> changes_;
  std::map<uint64_t, size_t> by_seq_;  // seq → index into changes_
};

}  // namespace tidemark::engine
