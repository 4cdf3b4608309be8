// `tidemark log`: events filtered by run, resource (glob, through the index),
// step, kind and time; newest first unless --oldest-first.
#include <algorithm>
#include <set>

#include "commands/commands.h"
#include "commands/resource_glob.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/rollback.h"

namespace tidemark::commands {

namespace {

// The seqs the filters allow, from the narrowest indexes (intersected);
// nullopt when no indexed filter is given (every event is a candidate).
Result<std::optional<std::vector<uint64_t>>> Candidates(const store::EventLog& log, const std::string& resource,
                                                        const std::string& run, const std::string& kind) {
  std::optional<std::vector<uint64_t>> candidates;
  auto intersect = [&](std::vector<uint64_t> seqs) {
    std::sort(seqs.begin(), seqs.end());
    if (!candidates) {
      candidates = std::move(seqs);
      return;
    }
    std::vector<uint64_t> both;
    std::set_intersection(candidates->begin(), candidates->end(), seqs.begin(), seqs.end(),
                          std::back_inserter(both));
    candidates = std::move(both);
  };
  if (!resource.empty()) {
    TM_ASSIGN_OR_RETURN(auto matches, MatchResources(log, resource));
    std::vector<uint64_t> seqs;
    for (const auto& m : matches) seqs.insert(seqs.end(), m.seqs.begin(), m.seqs.end());
    if (seqs.empty()) return Status::NotFound("no resource in the journal matches '" + resource + "'");
    intersect(std::move(seqs));
  }
  if (!run.empty()) {
    TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForRun(run));
    if (seqs.empty()) return Status::NotFound("no run '" + run + "' in the journal");
    intersect(std::move(seqs));
  }
  if (!kind.empty()) {
    TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForKind(kind));
    intersect(std::move(seqs));
  }
  return candidates;
}

void PrintEvents(std::ostream& out, const std::vector<store::StoredEvent>& events, const CommonOptions& common,
                 bool journal_empty) {
  if (common.json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& e : events) WriteEventJson(w, e, common.reveal_secrets);
    w.EndArray();
    out << w.str() << "\n";
    return;
  }
  if (events.empty()) {
    out << (journal_empty ? "the journal is empty\n" : "no events match\n");
    return;
  }
  Table t({"SEQ", "TIME", "KIND", "RUN", "STEP", "WHAT"});
  for (const auto& e : events) {
    t.Add({std::to_string(e.event.seq), FormatTime(e.event.time_ns), e.event.KindName(),
           e.event.run.empty() ? "-" : e.event.run, e.event.step.empty() ? "-" : e.event.step,
           Summarize(e.event, common.reveal_secrets)});
  }
  t.Print(out);
}

}  // namespace

int RunLog(Context& ctx) {
  po::options_description desc("log");
  std::string run, resource, step, kind, since, until;
  int64_t limit = 0;
  bool oldest_first = false;
  desc.add_options()
      ("run", po::value<std::string>(&run), "only this run")
      ("resource", po::value<std::string>(&resource), "only events about resources matching this glob")
      ("step", po::value<std::string>(&step), "only this step id")
      ("kind", po::value<std::string>(&kind), "only this event kind (intent, applied, observed, ...)")
      ("since", po::value<std::string>(&since), "from this time (ISO-8601 with Z or offset)")
      ("until", po::value<std::string>(&until), "up to this time")
      ("limit", po::value<int64_t>(&limit), "at most N events (0: all)")
      ("oldest-first", po::bool_switch(&oldest_first), "oldest first (default: newest first)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common,
                 "log [--run R] [--resource GLOB] [--step S] [--kind K] [--since T] [--until T] [--limit N]",
                 code)) {
    return code;
  }
  std::optional<int64_t> t_since, t_until;
  if (!since.empty() && !(t_since = engine::ParseTime(since))) {
    return Fail(ctx, Status::InvalidInput("--since '" + since + "' is not a time like 2026-11-24T02:10:00Z"));
  }
  if (!until.empty() && !(t_until = engine::ParseTime(until))) {
    return Fail(ctx, Status::InvalidInput("--until '" + until + "' is not a time like 2026-11-24T02:10:00Z"));
  }
  if (limit < 0) {
    return Fail(ctx, Status::InvalidInput("--limit " + std::to_string(limit) +
                                          ": a number of events, 0 or more (0: all)"));
  }
  if (!kind.empty() && EventKindIndex(kind) < 0) {
    return Fail(ctx, Status::InvalidInput("unknown event kind '" + kind + "'"));
  }
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();

  auto candidates = Candidates(log, resource, run, kind);
  if (!candidates.ok()) return Fail(ctx, candidates.status());
  std::vector<store::StoredEvent> events;
  auto consider = [&](const store::StoredEvent& e) {
    if (!step.empty() && e.event.step != step) return true;
    if (t_since && e.event.time_ns < *t_since) return true;
    if (t_until && e.event.time_ns > *t_until) return true;
    events.push_back(e);
    return limit == 0 || events.size() < static_cast<uint64_t>(limit);
  };
  if (*candidates) {
    if (!oldest_first) std::reverse((*candidates)->begin(), (*candidates)->end());
    for (uint64_t seq : **candidates) {
      auto e = log.Get(seq);
      if (!e.ok()) return Fail(ctx, e.status());
      if (!consider(e.value())) break;
    }
  } else {
    Status st = log.Scan(1, 0, !oldest_first, consider);
    if (!st.ok()) return Fail(ctx, st);
  }
  if (events.empty() && !step.empty()) {
    // Nothing matched: a step id no event carries is a mistake, as an unknown run is.
    bool known = false;
    Status st = log.Scan(1, 0, false, [&](const store::StoredEvent& e) {
      known = e.event.step == step && (run.empty() || e.event.run == run);
      return !known;
    });
    if (!st.ok()) return Fail(ctx, st);
    if (!known) {
      return Fail(ctx, Status::NotFound("no event of " +
                                        (run.empty() ? std::string("any run") : "run " + run) +
                                        " has step '" + step + "'"));
    }
  }
  PrintEvents(ctx.out, events, common, log.head().seq == 0);
  return 0;
}

}  // namespace tidemark::commands
