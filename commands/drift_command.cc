// `tidemark drift [--env ENV]`: compare the journal's state with the live systems.
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/drift.h"
#include "engine/run_record.h"

namespace tidemark::commands {

int RunDrift(Context& ctx) {
  po::options_description desc("drift");
  std::string env_path;
  desc.add_options()("env", po::value<std::string>(&env_path),
                     "environment file (default: the newest run's, from the journal)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "drift [--env ENV]", code)) return code;
  auto log = OpenJournal(common, store::OpenMode::kReadOnly);
  if (!log.ok()) return Fail(ctx, log.status());
  auto loaded_env = engine::EnvironmentFor(*log.value(), env_path);
  if (!loaded_env.ok()) return Fail(ctx, loaded_env.status());
  const engine::Environment env = std::move(loaded_env).value();
  auto state = engine::FoldJournal(*log.value());
  if (!state.ok()) return Fail(ctx, state.status());
  engine::TargetSet targets(env);
  auto report = engine::DetectDrift(state.value(), targets);
  if (!report.ok()) return Fail(ctx, report.status());
  const auto& r = report.value();
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("checked", static_cast<uint64_t>(r.checked))
        .Field("unreachable", static_cast<uint64_t>(r.unreachable)).Key("differences").BeginArray();
    for (const auto& d : r.differences) {
      w.BeginObject().Field("seq", d.seq);
      w.Key("resource");
      WriteResourceJson(w, d.resource);
      w.Key("recorded");
      WriteValueJson(w, d.recorded, &d.resource, d.secret, common.reveal_secrets);
      w.Key("live");
      WriteValueJson(w, d.live, &d.resource, d.secret, common.reveal_secrets);
      if (!d.error.empty()) w.Field("error", d.error);
      w.EndObject();
    }
    w.EndArray().EndObject();
    ctx.out << w.str() << "\n";
  } else if (r.differences.empty()) {
    ctx.out << "no drift: all " << r.checked << " resources the journal knows match the live systems";
    if (r.unreachable) ctx.out << " (" << r.unreachable << " not reachable through this environment)";
    ctx.out << "\n";
  } else {
    ctx.out << r.differences.size() << " of " << r.checked << " resources differ from the journal:\n\n";
    Table t({"RESOURCE", "JOURNAL (seq)", "LIVE"});
    for (const auto& d : r.differences) {
      t.Add({d.resource.Display(),
             store::ShowValue(d.recorded, &d.resource, d.secret, common.reveal_secrets) + " (#" + std::to_string(d.seq) + ")",
             d.error.empty() ? store::ShowValue(d.live, &d.resource, d.secret, common.reveal_secrets) : "ERROR: " + d.error});
    }
    t.Print(ctx.out);
  }
  return r.differences.empty() ? 0 : 3;
}

}  // namespace tidemark::commands
