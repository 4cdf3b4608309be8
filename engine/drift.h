// Drift: the state folded from the journal against the live value of every
// resource the journal knows (and the environment can reach).
#pragma once

#include <string>
#include <vector>

#include "engine/state.h"
#include "engine/target_set.h"
#include "store/event_log.h"

namespace tidemark::engine {

struct DriftItem {
  Resource resource;
  Value recorded;   // last value in the journal
  uint64_t seq = 0; // event that recorded it
  Value live;
  bool secret = false;
  std::string error;  // could not read the live value
};

struct DriftReport {
  size_t checked = 0;
  size_t unreachable = 0;  // resources on hosts/databases the environment does not name
  std::vector<DriftItem> differences;
};

// Folds the whole journal into a State.
Result<State> FoldJournal(const store::EventLog& log, uint64_t up_to = 0);

Result<DriftReport> DetectDrift(const State& state, TargetSet& targets);

}  // namespace tidemark::engine
