// `tidemark diff POINT POINT`: the net change per resource between two points
// (fold at both and compare): created, deleted or changed, with the seq of the
// last change. A resource first seen after the first point takes its value
// there from the `before` of its first change (through the resource index).
#include <algorithm>
#include <map>
#include <optional>

#include "commands/commands.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/drift.h"
#include "engine/rollback.h"

namespace tidemark::commands {
namespace {

struct DiffEntry {
  Resource resource;
  std::string change;  // "created", "deleted", "changed"
  Value before, after;
  uint64_t last_seq = 0;
  bool secret = false;
};

Result<engine::State> FoldAt(const store::EventLog& log, uint64_t seq) {
  if (seq == 0) return engine::State();
  return engine::FoldJournal(log, seq);
}

// The value a resource had just after `from`: the `before` of its first intent
// or observed change after `from` (nullopt if it has none).
Result<std::optional<Value>> ValueBefore(const store::EventLog& log, const std::string& identity,
                                         uint64_t from) {
  TM_ASSIGN_OR_RETURN(auto seqs, log.SeqsForResource(identity));
  for (uint64_t seq : seqs) {
    if (seq <= from) continue;
    TM_ASSIGN_OR_RETURN(auto e, log.Get(seq));
    if (const auto* i = std::get_if<Intent>(&e.event.body)) return std::optional<Value>(i->before);
    if (const auto* o = std::get_if<Observed>(&e.event.body)) return std::optional<Value>(o->before);
    if (const auto* n = std::get_if<Noop>(&e.event.body)) return std::optional<Value>(n->value);
  }
  return std::optional<Value>();
}

// The resources whose values differ between the folds at seqs[0] and seqs[1].
Result<std::vector<DiffEntry>> Differences(const store::EventLog& log, const engine::State& a,
                                           const engine::State& b, const uint64_t seqs[2]) {
  // Value of a resource at a fold, completing unknown values from later `before`s.
  auto value_at = [&](const engine::State& s, uint64_t at, const std::string& id) -> Result<Value> {
    auto it = s.resources().find(id);
    if (it != s.resources().end()) return it->second.value;
    TM_ASSIGN_OR_RETURN(auto v, ValueBefore(log, id, at));
    return v ? *v : Value::Absent();
  };
  std::map<std::string, const engine::ResourceState*> all;
  for (const auto& [id, rs] : a.resources()) all[id] = &rs;
  for (const auto& [id, rs] : b.resources()) all[id] = &rs;
  std::vector<DiffEntry> entries;
  for (const auto& [id, rs] : all) {
    TM_ASSIGN_OR_RETURN(Value va, value_at(a, seqs[0], id));
    TM_ASSIGN_OR_RETURN(Value vb, value_at(b, seqs[1], id));
    if (va == vb) continue;
    DiffEntry d;
    d.resource = rs->resource;
    d.before = std::move(va);
    d.after = std::move(vb);
    d.change = d.before.absent() ? "created" : d.after.absent() ? "deleted" : "changed";
    auto ia = a.resources().find(id);
    auto ib = b.resources().find(id);
    d.secret = (ia != a.resources().end() && ia->second.secret) ||
               (ib != b.resources().end() && ib->second.secret);
    const uint64_t sa = ia != a.resources().end() ? ia->second.seq : 0;
    const uint64_t sb = ib != b.resources().end() ? ib->second.seq : 0;
    d.last_seq = seqs[1] >= seqs[0] ? sb : sa;  // the later point's last change
    entries.push_back(std::move(d));
  }
  return entries;
}

void WriteDiffJson(std::ostream& out, const std::vector<std::string>& points, const uint64_t seqs[2],
                   const std::vector<DiffEntry>& entries, bool reveal) {
  JsonWriter w;
  w.BeginObject()
      .Field("from", points[0]).Field("from_seq", seqs[0])
      .Field("to", points[1]).Field("to_seq", seqs[1]);
  w.Key("changes").BeginArray();
  for (const auto& d : entries) {
    w.BeginObject().Field("change", d.change).Key("resource");
    WriteResourceJson(w, d.resource);
    w.Key("before");
    WriteValueJson(w, d.before, &d.resource, d.secret, reveal);
    w.Key("after");
    WriteValueJson(w, d.after, &d.resource, d.secret, reveal);
    w.Field("last_seq", d.last_seq).EndObject();
  }
  w.EndArray().EndObject();
  out << w.str() << "\n";
}

void PrintDiff(std::ostream& out, const std::vector<std::string>& points, const uint64_t seqs[2],
               const std::vector<DiffEntry>& entries, bool reveal) {
  out << "diff seq " << seqs[0] << " (" << points[0] << ") → seq " << seqs[1] << " (" << points[1]
      << "): " << entries.size() << " resource(s) differ\n";
  if (entries.empty()) return;
  Table t({"CHANGE", "RESOURCE", "BEFORE → AFTER", "LAST SEQ"});
  for (const auto& d : entries) {
    t.Add({d.change, d.resource.Display(),
           store::ShowValue(d.before, &d.resource, d.secret, reveal) + " → " +
               store::ShowValue(d.after, &d.resource, d.secret, reveal),
           std::to_string(d.last_seq)});
  }
  t.Print(out);
}

}  // namespace

int RunDiff(Context& ctx) {
  po::options_description desc("diff");
  std::vector<std::string> points;
  desc.add_options()("point", po::value<std::vector<std::string>>(&points),
                     "two points: seq, time, checkpoint name or 'start'");
  po::positional_options_description pos;
  pos.add("point", 2);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "diff POINT POINT", code)) return code;
  if (points.size() != 2) {
    return Fail(ctx, Status::InvalidInput("diff needs two points (e.g. `diff pre-upgrade 120` or "
                                          "`diff start head`)"));
  }
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();
  if (log.head().seq == 0) return Fail(ctx, Status::InvalidInput("the journal is empty: nothing to compare"));
  uint64_t seqs[2];
  for (int k = 0; k < 2; ++k) {
    if (points[static_cast<size_t>(k)] == "head") {
      seqs[k] = log.head().seq;
      continue;
    }
    auto r = engine::ResolvePoint(log, points[static_cast<size_t>(k)]);
    if (!r.ok()) return Fail(ctx, r.status());
    seqs[k] = r.value();
  }
  auto a = FoldAt(log, seqs[0]);
  if (!a.ok()) return Fail(ctx, a.status());
  auto b = FoldAt(log, seqs[1]);
  if (!b.ok()) return Fail(ctx, b.status());

  auto entries = Differences(log, a.value(), b.value(), seqs);
  if (!entries.ok()) return Fail(ctx, entries.status());
  if (common.json) {
    WriteDiffJson(ctx.out, points, seqs, *entries, common.reveal_secrets);
  } else {
    PrintDiff(ctx.out, points, seqs, *entries, common.reveal_secrets);
  }
  return 0;
}

}  // namespace tidemark::commands
