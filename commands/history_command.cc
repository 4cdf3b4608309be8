// `tidemark history RESOURCE`: every change to one resource (intents with their
// outcome, observed changes, no-ops), oldest first, through the
// by_resource index — the "blame" of a registry value or SQL cell.
#include <map>

#include "commands/commands.h"
#include "commands/resource_glob.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/outcomes.h"
#include "store/sha256.h"

namespace tidemark::commands {
int RunHistory(Context& ctx) {
  po::options_description desc("history");
  std::string pattern;
  desc.add_options()("resource", po::value<std::string>(&pattern),
                     "the resource: its identity or display form, or a glob naming exactly one");
  po::positional_options_description pos;
  pos.add("resource", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "history RESOURCE", code)) return code;
  if (pattern.empty()) {
    return Fail(ctx, Status::InvalidInput("RESOURCE is required (e.g. 'S1:HKLM\\SOFTWARE\\...\\Name'; "
                                          "see `tidemark log` for identities)"));
  }
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();
  if (log.head().seq == 0) return Fail(ctx, Status::InvalidInput("the journal is empty"));

  // Resolve the pattern to exactly one identity through the index.
  auto ids = log.ResourceIdentities();
  if (!ids.ok()) return Fail(ctx, ids.status());
  std::vector<std::pair<std::string, std::string>> matches;  // identity, display
  std::vector<uint64_t> seqs;
  for (const auto& id : ids.value()) {
    auto these = log.SeqsForResource(id);
    if (!these.ok()) return Fail(ctx, these.status());
    std::string display = id;
    if (!these->empty()) {
      auto first = log.Get(these->front());
      if (first.ok() && first->event.GetResource()) display = first->event.GetResource()->Display();
    }
    if (GlobMatches(pattern, id) || GlobMatches(pattern, display)) {
      matches.emplace_back(id, display);
      seqs = std::move(these).value();
    }
  }
  if (matches.empty()) {
    return Fail(ctx, Status::NotFound("no resource in the journal matches '" + pattern +
                                      "' (globs like '*DB_PreferedRegistry' match identity or "
                                      "display, case-insensitively)"));
  }
  if (matches.size() > 1) {
    ctx.err << "tidemark history: '" << pattern << "' matches " << matches.size()
            << " resources; name exactly one:\n";
    for (const auto& [id, display] : matches) ctx.err << "  " << store::EscapeForTerminal(display) << "\n";
    return 2;
  }

  std::vector<store::StoredEvent> events;
  for (uint64_t seq : seqs) {
    auto e = log.Get(seq);
    if (!e.ok()) return Fail(ctx, e.status());
    events.push_back(std::move(e).value());
  }
  std::map<uint64_t, const store::StoredEvent*> by_seq;
  for (const auto& se : events) by_seq[se.event.seq] = &se;
  // Intents with their outcomes, observed changes and no-ops (engine/outcomes.h);
  // an intent is indexed under the resource its outcomes are about.
  engine::OutcomeFold fold;
  for (const auto& se : events) {
    auto folded = fold.Apply(se.event);
    if (!folded.ok()) return Fail(ctx, folded.status());
  }
  std::vector<const engine::RecordedChange*> entries;
  for (const auto& c : fold.changes()) entries.push_back(&c);
  // A resource is secret for display if any of its events says so.
  bool secret = false;
  for (const auto* h : entries) secret = secret || h->secret;
  const Resource* resource = events.front().event.GetResource();
  const bool reveal = common.reveal_secrets;

  if (common.json) {
    JsonWriter w;
    w.BeginObject().Key("resource");
    WriteResourceJson(w, *resource);
    w.Key("changes").BeginArray();
    for (const auto* h : entries) {
      const Event& e = by_seq.at(h->seq)->event;
      const std::string error = store::ShowText(h->error, reveal);
      w.BeginObject()
          .Field("seq", e.seq)
          .Field("kind", e.KindName())
          .Field("outcome", engine::OutcomeName(h->outcome))
          .Field("outcome_seq", h->outcome_seq)
          .Field("time", FormatTime(e.time_ns))
          .Field("run", e.run)
          .Field("step", e.step)
          .Field("host", e.host)
          .Field("user", e.user);
      if (h->is_intent()) w.Field("action", h->action).Field("reverses", h->reverses);
      w.Key("before");
      WriteValueJson(w, h->before, resource, secret, reveal);
      w.Key("after");
      WriteValueJson(w, h->after, resource, secret, reveal);
      if (!error.empty()) w.Field("error", error);
      w.EndObject();
    }
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
    return 0;
  }
  ctx.out << store::EscapeForTerminal(resource->Display()) << "\n";
  Table t({"SEQ", "TIME", "RUN", "STEP", "BY", "OUTCOME", "BEFORE → AFTER"});
  for (const auto* h : entries) {
    const Event& e = by_seq.at(h->seq)->event;
    auto show = [&](const Value& v) { return store::ShowValue(v, resource, secret, reveal); };
    std::string change;
    if (h->outcome == engine::Outcome::kNoop) {
      change = "already " + show(h->after);
    } else {
      change = show(h->before) + " → " + show(h->after);
      if (h->reverses) change += " (undoes #" + std::to_string(h->reverses) + ")";
      if (!h->error.empty()) change += ": " + store::ShowText(h->error, reveal);
    }
    t.Add({std::to_string(e.seq), FormatTime(e.time_ns), e.run.empty() ? "-" : e.run,
           e.step.empty() ? "-" : e.step, e.user + "@" + e.host, engine::OutcomeName(h->outcome),
           change});
  }
  t.Print(ctx.out);
  return 0;
}

}  // namespace tidemark::commands
