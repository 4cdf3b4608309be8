// `tidemark history RESOURCE`: every change to one resource (intents with their
// outcome, observed changes, decisions, no-ops), oldest first, through the
// by_resource index — the "blame" of a registry value or SQL cell.
#include <map>

#include "commands/commands.h"
#include "commands/resource_glob.h"
#include "commands/render.h"
#include "commands/table.h"
#include "store/sha256.h"

namespace tidemark::commands {
namespace {

// One line of the history: a change (or attempt) and who made it.
struct HistoryEntry {
  const store::StoredEvent* event = nullptr;  // the intent/observed/noop/decision
  std::string outcome;                        // applied, failed, in doubt, observed, noop, decision
  Value before, after;
  bool secret = false;
  uint64_t outcome_seq = 0;
  std::string error;
};

}  // namespace

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
  std::vector<HistoryEntry> entries;
  std::map<uint64_t, size_t> by_intent;  // intent seq → entry index
  for (const auto& se : events) {
    const Event& e = se.event;
    if (const auto* i = std::get_if<Intent>(&e.body)) {
      by_intent[e.seq] = entries.size();
      entries.push_back({&se, "in doubt", i->before, i->after, i->secret, 0, ""});
    } else if (const auto* a = std::get_if<Applied>(&e.body)) {
      auto it = by_intent.find(a->intent_seq);
      if (it == by_intent.end()) {
        entries.push_back({&se, "applied", Value::Absent(), a->read_back, a->secret, e.seq, ""});
      } else {
        auto& h = entries[it->second];
        h.outcome = a->recovered ? "applied (recovered)" : "applied";
        h.after = a->read_back;
        h.outcome_seq = e.seq;
        h.secret = h.secret || a->secret;
      }
    } else if (const auto* f = std::get_if<Failed>(&e.body)) {
      auto it = by_intent.find(f->intent_seq);
      if (it != by_intent.end()) {
        entries[it->second].outcome = "failed";
        entries[it->second].outcome_seq = e.seq;
        entries[it->second].error = store::ShowText(f->error, common.reveal_secrets);
      }
    } else if (const auto* o = std::get_if<Observed>(&e.body)) {
      entries.push_back({&se, "observed", o->before, o->after, o->secret, e.seq, ""});
    } else if (const auto* n = std::get_if<Noop>(&e.body)) {
      entries.push_back({&se, "noop", n->value, n->value, n->secret, e.seq, ""});
    } else if (const auto* d = std::get_if<Decision>(&e.body)) {
      entries.push_back({&se, "decision " + d->choice, Value::Absent(), d->current, false, e.seq,
                         store::ShowText(d->detail, common.reveal_secrets)});
    }
  }
  // A resource is secret for display if any of its events says so.
  bool secret = false;
  for (const auto& h : entries) secret = secret || h.secret;
  const Resource* resource = events.front().event.GetResource();
  const bool reveal = common.reveal_secrets;

  if (common.json) {
    JsonWriter w;
    w.BeginObject().Key("resource");
    WriteResourceJson(w, *resource);
    w.Key("changes").BeginArray();
    for (const auto& h : entries) {
      const Event& e = h.event->event;
      w.BeginObject()
          .Field("seq", e.seq)
          .Field("kind", e.KindName())
          .Field("outcome", h.outcome)
          .Field("outcome_seq", h.outcome_seq)
          .Field("time", FormatTime(e.time_ns))
          .Field("run", e.run)
          .Field("step", e.step)
          .Field("host", e.host)
          .Field("user", e.user);
      if (const auto* i = std::get_if<Intent>(&e.body)) {
        w.Field("action", i->action).Field("reverses", i->reverses);
      }
      w.Key("before");
      WriteValueJson(w, h.before, resource, secret, reveal);
      w.Key("after");
      WriteValueJson(w, h.after, resource, secret, reveal);
      if (!h.error.empty()) w.Field("error", h.error);
      w.EndObject();
    }
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
    return 0;
  }
  ctx.out << store::EscapeForTerminal(resource->Display()) << "\n";
  Table t({"SEQ", "TIME", "RUN", "STEP", "BY", "OUTCOME", "BEFORE → AFTER"});
  for (const auto& h : entries) {
    const Event& e = h.event->event;
    std::string change;
    if (h.outcome == "noop") {
      change = "already " + store::ShowValue(h.after, resource, secret, reveal);
    } else if (h.outcome.rfind("decision", 0) == 0) {
      change = "current " + store::ShowValue(h.after, resource, secret, reveal) +
               (h.error.empty() ? "" : " (" + h.error + ")");
    } else {
      change = store::ShowValue(h.before, resource, secret, reveal) + " → " +
               store::ShowValue(h.after, resource, secret, reveal);
      if (const auto* i = std::get_if<Intent>(&e.body); i && i->reverses) {
        change += " (undoes #" + std::to_string(i->reverses) + ")";
      }
      if (!h.error.empty()) change += ": " + h.error;
    }
    t.Add({std::to_string(e.seq), FormatTime(e.time_ns), e.run.empty() ? "-" : e.run,
           e.step.empty() ? "-" : e.step, e.user + "@" + e.host, h.outcome, change});
  }
  t.Print(ctx.out);
  return 0;
}

}  // namespace tidemark::commands
