// `tidemark state [--at POINT] [--resource GLOB]`: every resource's value as
// folded from the journal up to a point (seq, time, checkpoint name, `start`;
// default the head), with the seq of the event that set it.
#include "commands/commands.h"
#include "commands/resource_glob.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/drift.h"
#include "engine/rollback.h"

namespace tidemark::commands {

int RunState(Context& ctx) {
  po::options_description desc("state");
  std::string at, glob;
  desc.add_options()
      ("at", po::value<std::string>(&at), "a seq, a time (ISO-8601), a checkpoint name or 'start' (default: head)")
      ("resource", po::value<std::string>(&glob), "only resources whose identity or display matches this glob");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "state [--at POINT] [--resource GLOB]", code)) return code;
  auto opened = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!opened.ok()) return Fail(ctx, opened.status());
  auto& log = *opened.value();
  if (log.head().seq == 0) return Fail(ctx, Status::InvalidInput("the journal is empty: there is no state"));
  uint64_t seq = log.head().seq;
  if (!at.empty()) {
    auto resolved = engine::ResolvePoint(log, at);
    if (!resolved.ok()) return Fail(ctx, resolved.status());
    seq = resolved.value();
  }
  engine::State state;  // seq 0 (a time before the first event): nothing known yet
  if (seq > 0) {
    auto folded = engine::FoldJournal(log, seq);
    if (!folded.ok()) return Fail(ctx, folded.status());
    state = std::move(folded).value();
  }
  std::vector<const engine::ResourceState*> shown;
  for (const auto& [id, rs] : state.resources()) {
    if (!glob.empty() && !GlobMatches(glob, id) && !GlobMatches(glob, rs.resource.Display())) {
      continue;
    }
    shown.push_back(&rs);
  }
  if (!glob.empty() && shown.empty()) {
    return Fail(ctx, Status::NotFound("no resource matching '" + glob + "' is known at seq " +
                                      std::to_string(seq)));
  }
  const bool reveal = common.reveal_secrets;
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("at", at.empty() ? "head" : at).Field("seq", seq);
    if (seq > 0) w.Field("time", FormatTime(state.time_ns()));
    w.Key("resources").BeginArray();
    for (const auto* rs : shown) {
      w.BeginObject().Key("resource");
      WriteResourceJson(w, rs->resource);
      w.Key("value");
      WriteValueJson(w, rs->value, &rs->resource, rs->secret, reveal);
      w.Field("seq", rs->seq).EndObject();
    }
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
    return 0;
  }
  ctx.out << "state at seq " << seq << (seq > 0 ? " (" + FormatTime(state.time_ns()) + ")" : "")
          << ", " << shown.size() << " resource(s)\n";
  if (shown.empty()) return 0;
  Table t({"RESOURCE", "VALUE", "SEQ"});
  for (const auto* rs : shown) {
    t.Add({rs->resource.Display(), store::ShowValue(rs->value, &rs->resource, rs->secret, reveal),
           std::to_string(rs->seq)});
  }
  t.Print(ctx.out);
  return 0;
}

}  // namespace tidemark::commands
