// The outcome fold: intents matched with applied/failed/decision events by
// intent seq, observed changes and no-ops recorded as they come. No I/O.
#include "engine/outcomes.h"

#include "store/event_compat.h"

namespace tidemark::engine {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kInDoubt: return "in doubt";
    case Outcome::kApplied: return "applied";
    case Outcome::kRecovered: return "applied (recovered)";
    case Outcome::kFailed: return "failed";
    case Outcome::kAccepted: return "accepted current";
    case Outcome::kObserved: return "observed";
    case Outcome::kNoop: return "noop";
  }
  return "?";
}

bool RecordedChange::effective() const {
  return outcome == Outcome::kApplied || outcome == Outcome::kRecovered ||
         outcome == Outcome::kAccepted || outcome == Outcome::kObserved;
}

Intent RecordedChange::AsIntent() const {
  Intent i{resource, before, after, action, reverses, secret};
  i.position = position;
  return i;
}

int RecordedChange::ActionIndex() const {
  if (position) return static_cast<int>(position->action);
  if (outcome == Outcome::kObserved) return -1;
  return store::ActionIndexOf(AsIntent()).value_or(-1);
}

const RecordedChange* OutcomeFold::Find(uint64_t seq) const {
  auto it = by_seq_.find(seq);
  return it == by_seq_.end() ? nullptr : &changes_[it->second];
}

RecordedChange& OutcomeFold::Add(RecordedChange change) {
  by_seq_[change.seq] = changes_.size();
  changes_.push_back(std::move(change));
  return changes_.back();
}

void OutcomeFold::AddInDoubt(uint64_t seq, const std::string& run, const std::string& step,
                             const Intent& intent) {
  Add(RecordedChange{seq, 0, run, step, intent.resource, intent.before, intent.after,
                     intent.action, intent.reverses, intent.secret, Outcome::kInDoubt, "",
                     intent.position});
}

Result<RecordedChange*> OutcomeFold::IntentFor(uint64_t intent_seq) {
  if (auto it = by_seq_.find(intent_seq); it != by_seq_.end()) {
    RecordedChange& c = changes_[it->second];
    return c.is_intent() ? &c : nullptr;
  }
  if (!lookup_) return nullptr;
  TM_ASSIGN_OR_RETURN(Event e, lookup_(intent_seq));
  const auto* intent = std::get_if<Intent>(&e.body);
  if (intent == nullptr || e.seq != intent_seq) {
    return Status::Corruption("event " + std::to_string(intent_seq) +
                              " is named as an intent but is a " + e.KindName());
  }
  AddInDoubt(intent_seq, e.run, e.step, *intent);
  return &changes_.back();
}

Result<const RecordedChange*> OutcomeFold::Apply(const Event& e) {
  const RecordedChange* none = nullptr;
  if (const auto* i = std::get_if<Intent>(&e.body)) {
    AddInDoubt(e.seq, e.run, e.step, *i);
    return &changes_.back();
  }
  if (const auto* o = std::get_if<Observed>(&e.body)) {
    return &Add(RecordedChange{e.seq, e.seq, e.run, e.step, o->resource, o->before, o->after, "",
                               0, o->secret, Outcome::kObserved, "", std::nullopt});
  }
  if (const auto* n = std::get_if<Noop>(&e.body)) {
    return &Add(RecordedChange{e.seq, e.seq, e.run, e.step, n->resource, n->value, n->value,
                               n->action, 0, n->secret, Outcome::kNoop, "", n->position});
  }
  // Outcomes: applied, failed, or the admin's accept-current decision.
  const auto* a = std::get_if<Applied>(&e.body);
  const auto* f = std::get_if<Failed>(&e.body);
  const auto* d = std::get_if<Decision>(&e.body);
  if (d != nullptr && d->choice != "accept-current") d = nullptr;
  const uint64_t intent_seq = a ? a->intent_seq : f ? f->intent_seq : d ? d->intent_seq : 0;
  if (intent_seq == 0) return none;
  TM_ASSIGN_OR_RETURN(RecordedChange* c, IntentFor(intent_seq));
  if (c == nullptr) return none;
  c->outcome_seq = e.seq;
  if (a != nullptr) {
    c->outcome = a->recovered ? Outcome::kRecovered : Outcome::kApplied;
    c->after = a->read_back;
    // Resume overwrote a value someone else had written: that value is what
    // the change replaced, and what rollback puts back.
    if (a->overwrote) c->before = *a->overwrote;
    c->secret = c->secret || a->secret;
  } else if (f != nullptr) {
    c->outcome = Outcome::kFailed;
    c->error = f->error;
  } else {
    c->outcome = Outcome::kAccepted;
    c->after = d->current;
  }
  return c;
}


}  // namespace tidemark::engine
