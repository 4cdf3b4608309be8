// Journal fold and live comparison.
#include "engine/drift.h"

#include "engine/fold.h"

namespace tidemark::engine {

Result<State> FoldJournal(const store::EventLog& log, uint64_t up_to) {
  return FoldFromSnapshots(log, up_to);
}

Result<DriftReport> DetectDrift(const State& state, TargetSet& targets) {
  DriftReport report;
  const Environment& env = targets.env();
  for (const auto& [identity, rs] : state.resources()) {
    const Resource& r = rs.resource;
    const bool reachable = r.database.empty() ? env.FindHost(r.host) != nullptr
                                              : env.FindDatabase(r.database) != nullptr;
    if (!reachable) {
      ++report.unreachable;
      continue;
    }
    ++report.checked;
    auto live = targets.Read(r);
    if (!live.ok()) {
      report.differences.push_back(DriftItem{r, rs.value, rs.seq, Value::Absent(), rs.secret,
                                             live.status().message()});
      continue;
    }
    if (!Matches(live.value(), rs.value)) {
      report.differences.push_back(DriftItem{r, rs.value, rs.seq, live.value(), rs.secret, ""});
    }
  }
  return report;
}

}  // namespace tidemark::engine
