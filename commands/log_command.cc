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

int RunLog(Context& ctx) {
  po::options_description desc("log");
  std::string run, resource, step, kind, since, until;
  uint64_t limit = 0;
  bool oldest_first = false;
  desc.add_options()
      ("run", po::value<std::string>(&run), "only this run")
      ("resource", po::value<std::string>(&resource), "only events about resources matching this glob")
      ("step", po::value<std::string>(&step), "only this step id")
      ("kind", po::value<std::string>(&kind), "only this event kind (intent, applied, observed, ...)")
      ("since", po::value<std::string>(&since), "from this time (ISO-8601 with Z or offset)")
      ("until", po::value<std::string>(&until), "up to this time")
      ("limit", po::value<uint64_t>(&limit), "at most N events")
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
  if (!kind.empty() && EventKindIndex(kind) < 0) {
    return Fail(ctx, Status::InvalidInput("unknown event kind '" + kind + "'"));
  }
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();

  // Candidate seqs from the narrowest index available.
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
    auto ids = log.ResourceIdentities();
    if (!ids.ok()) return Fail(ctx, ids.status());
    std::vector<uint64_t> seqs;
    for (const auto& id : ids.value()) {
      auto these = log.SeqsForResource(id);
      if (!these.ok()) return Fail(ctx, these.status());
      bool match = GlobMatches(resource, id);
      if (!match && !these->empty()) {
        auto first = log.Get(these->front());
        if (first.ok() && first->event.GetResource()) {
          match = GlobMatches(resource, first->event.GetResource()->Display());
        }
      }
      if (match) seqs.insert(seqs.end(), these->begin(), these->end());
    }
    if (seqs.empty()) {
      return Fail(ctx, Status::NotFound("no resource in the journal matches '" + resource + "'"));
    }
    intersect(std::move(seqs));
  }
  if (!run.empty()) {
    auto seqs = log.SeqsForRun(run);
    if (!seqs.ok()) return Fail(ctx, seqs.status());
    if (seqs->empty()) return Fail(ctx, Status::NotFound("no run '" + run + "' in the journal"));
    intersect(std::move(seqs).value());
  }
  if (!kind.empty()) {
    auto seqs = log.SeqsForKind(kind);
    if (!seqs.ok()) return Fail(ctx, seqs.status());
    intersect(std::move(seqs).value());
  }
  std::vector<store::StoredEvent> events;
  auto consider = [&](const store::StoredEvent& e) {
    if (!step.empty() && e.event.step != step) return true;
    if (t_since && e.event.time_ns < *t_since) return true;
    if (t_until && e.event.time_ns > *t_until) return true;
    events.push_back(e);
    return limit == 0 || events.size() < limit;
  };
  if (candidates) {
    if (!oldest_first) std::reverse(candidates->begin(), candidates->end());
    for (uint64_t seq : *candidates) {
      auto e = log.Get(seq);
      if (!e.ok()) return Fail(ctx, e.status());
      if (!consider(e.value())) break;
    }
  } else {
    Status st = log.Scan(1, 0, !oldest_first, consider);
    if (!st.ok()) return Fail(ctx, st);
  }
  if (common.json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& e : events) WriteEventJson(w, e, common.reveal_secrets);
    w.EndArray();
    ctx.out << w.str() << "\n";
    return 0;
  }
  if (events.empty()) {
    ctx.out << (log.head().seq == 0 ? "the journal is empty\n" : "no events match\n");
    return 0;
  }
  Table t({"SEQ", "TIME", "KIND", "RUN", "STEP", "WHAT"});
  for (const auto& e : events) {
    t.Add({std::to_string(e.event.seq), FormatTime(e.event.time_ns), e.event.KindName(),
           e.event.run.empty() ? "-" : e.event.run, e.event.step.empty() ? "-" : e.event.step,
           Summarize(e.event, common.reveal_secrets)});
  }
  t.Print(ctx.out);
  return 0;
}

}  // namespace tidemark::commands
