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
namespace {

// What the history shows: the resource's recorded changes and their events.
struct History {
  std::vector<store::StoredEvent> events;
  std::map<uint64_t, const store::StoredEvent*> by_seq;
  engine::OutcomeFold fold;  // intents with their outcomes, observed changes and no-ops
  const Resource* resource = nullptr;
  bool secret = false;  // secret for display if any of its events says so
};

Status LoadHistory(const store::EventLog& log, const std::vector<uint64_t>& seqs, History* h) {
  for (uint64_t seq : seqs) {
    TM_ASSIGN_OR_RETURN(auto e, log.Get(seq));
    h->events.push_back(std::move(e));
  }
  for (const auto& se : h->events) {
    h->by_seq[se.event.seq] = &se;
    TM_RETURN_IF_ERROR(h->fold.Apply(se.event).status());
  }
  for (const auto& c : h->fold.changes()) h->secret = h->secret || c.secret;
  h->resource = h->events.front().event.GetResource();
  return Status::Ok();
}

void WriteHistoryJson(std::ostream& out, const History& h, bool reveal) {
  JsonWriter w;
  w.BeginObject().Key("resource");
  WriteResourceJson(w, *h.resource);
  w.Key("changes").BeginArray();
  for (const auto& c : h.fold.changes()) {
    const Event& e = h.by_seq.at(c.seq)->event;
    const std::string error = store::ShowText(c.error, reveal);
    w.BeginObject()
        .Field("seq", e.seq)
        .Field("kind", e.KindName())
        .Field("outcome", engine::OutcomeName(c.outcome))
        .Field("outcome_seq", c.outcome_seq)
        .Field("time", FormatTime(e.time_ns))
        .Field("run", e.run)
        .Field("step", e.step)
        .Field("host", e.host)
        .Field("user", e.user);
    if (c.is_intent()) w.Field("action", c.action).Field("reverses", c.reverses);
    w.Key("before");
    WriteValueJson(w, c.before, h.resource, h.secret, reveal);
    w.Key("after");
    WriteValueJson(w, c.after, h.resource, h.secret, reveal);
    if (!error.empty()) w.Field("error", error);
    w.EndObject();
  }
  w.EndArray().EndObject();
  out << w.str() << "\n";
}

void PrintHistory(std::ostream& out, const History& h, bool reveal) {
  out << store::EscapeForTerminal(h.resource->Display()) << "\n";
  Table t({"SEQ", "TIME", "RUN", "STEP", "BY", "OUTCOME", "BEFORE → AFTER"});
  auto show = [&](const Value& v) { return store::ShowValue(v, h.resource, h.secret, reveal); };
  for (const auto& c : h.fold.changes()) {
    const Event& e = h.by_seq.at(c.seq)->event;
    std::string change;
    if (c.outcome == engine::Outcome::kNoop) {
      change = "already " + show(c.after);
    } else {
      change = show(c.before) + " → " + show(c.after);
      if (c.reverses) change += " (undoes #" + std::to_string(c.reverses) + ")";
      if (!c.error.empty()) change += ": " + store::ShowText(c.error, reveal);
    }
    t.Add({std::to_string(e.seq), FormatTime(e.time_ns), e.run.empty() ? "-" : e.run,
           e.step.empty() ? "-" : e.step, e.user + "@" + e.host, engine::OutcomeName(c.outcome),
           change});
  }
  t.Print(out);
}

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
  auto matches = MatchResources(log, pattern);
  if (!matches.ok()) return Fail(ctx, matches.status());
  if (matches->empty()) {
    return Fail(ctx, Status::NotFound("no resource in the journal matches '" + pattern +
                                      "' (globs like '*DB_PreferedRegistry' match identity or "
                                      "display, case-insensitively)"));
  }
  if (matches->size() > 1) {
    ctx.err << "tidemark history: '" << pattern << "' matches " << matches->size()
            << " resources; name exactly one:\n";
    for (const auto& m : *matches) ctx.err << "  " << store::EscapeForTerminal(m.display) << "\n";
    return 2;
  }
  History history;
  if (Status s = LoadHistory(log, matches->front().seqs, &history); !s.ok()) return Fail(ctx, s);
  if (common.json) {
    WriteHistoryJson(ctx.out, history, common.reveal_secrets);
  } else {
    PrintHistory(ctx.out, history, common.reveal_secrets);
  }
  return 0;
}

}  // namespace tidemark::commands
