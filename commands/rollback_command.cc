// `tidemark rollback [--to POINT] [--dry-run] [--force] [--restore-databases]`:
// reverse actions generated from the journal, newest first, each recorded.
#include <algorithm>

#include "commands/commands.h"
#include "commands/exit_code.h"
#include "commands/json_writer.h"
#include "commands/render.h"
#include "commands/run_output.h"
#include "commands/table.h"
#include "engine/process/interrupt.h"
#include "engine/rollback.h"
#include "engine/run_record.h"

namespace tidemark::commands {

namespace {

// The dry run's reverse plan; the exit code says whether the real rollback
// would stop (3 on conflicts), in every format.
int PrintReversePlan(Context& ctx, const CommonOptions& common, const std::string& point,
                     const engine::Rollback& rollback) {
  const auto& plan = rollback.plan();
  const auto conflicts = static_cast<uint64_t>(std::count_if(plan.begin(), plan.end(), [](const auto& s) {
    return s.conflict && !s.via_database_restore;
  }));
  const int dry_run_code = conflicts > 0 ? 3 : 0;
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("to", point).Key("reverse_actions").BeginArray();
    for (const auto& s : plan) {
      w.BeginObject().Field("undoes_seq", s.seq);
      w.Key("resource");
      WriteResourceJson(w, s.resource);
      w.Key("current");
      WriteValueJson(w, s.current, &s.resource, s.secret, common.reveal_secrets);
      w.Key("restore");
      WriteValueJson(w, s.restore, &s.resource, s.secret, common.reveal_secrets);
      w.Field("conflict", s.conflict).Field("via_database_restore", s.via_database_restore).EndObject();
    }
    w.EndArray().Field("conflicts", conflicts).EndObject();
    ctx.out << w.str() << "\n";
    return dry_run_code;
  }
  if (plan.empty()) {
    ctx.out << "nothing to roll back after " << point << "\n";
    return 0;
  }
  ctx.out << "Reverse plan to " << point << " (" << plan.size() << " action(s), newest first; nothing changed):\n\n";
  Table t({"UNDOES", "RESOURCE", "CURRENT", "", "RESTORED", "NOTE"});
  for (const auto& s : plan) {
    std::string note = s.via_database_restore ? "database restore" : "";
    if (s.conflict && !s.via_database_restore) note = "CONFLICT: changed after the run";
    t.Add({"#" + std::to_string(s.seq), s.resource.Display(),
           store::ShowValue(s.current, &s.resource, s.secret, common.reveal_secrets), "→",
           store::ShowValue(s.restore, &s.resource, s.secret, common.reveal_secrets), note});
  }
  t.Print(ctx.out);
  if (conflicts) ctx.out << "\n" << conflicts << " conflict(s): rollback will stop unless --force.\n";
  return dry_run_code;
}

}  // namespace

int RunRollback(Context& ctx) {
  po::options_description desc("rollback");
  std::string point = "start", env_path;
  bool dry_run = false, force = false, restore_db = false;
  desc.add_options()
      ("to", po::value<std::string>(&point), "POINT: a checkpoint name, a seq, a time, or start (default)")
      ("dry-run", po::bool_switch(&dry_run), "print the reverse plan and change nothing")
      ("force", po::bool_switch(&force), "overwrite resources changed after the run (recorded)")
      ("restore-databases", po::bool_switch(&restore_db),
       "restore the checkpoint's database backups instead of reversing SQL cells")
      ("env", po::value<std::string>(&env_path), "environment file (default: the newest run's, from the journal)");
  po::positional_options_description pos;
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common,
                 "rollback [--to POINT] [--dry-run] [--force] [--restore-databases] [--env ENV]", code)) {
    return code;
  }
  auto log = OpenJournal(common, dry_run ? store::OpenMode::kReadOnly : store::OpenMode::kWrite);
  if (!log.ok()) return Fail(ctx, log.status());
  auto loaded_env = engine::EnvironmentFor(*log.value(), env_path);
  if (!loaded_env.ok()) return Fail(ctx, loaded_env.status());
  const engine::Environment env = std::move(loaded_env).value();
  engine::TargetSet targets(env);
  engine::RollbackOptions options;
  options.dry_run = dry_run;
  options.force = force;
  options.restore_databases = restore_db;
  options.command_line = ctx.command_line;
  options.progress = ProgressPrinter(ctx, common.json || dry_run);
  process::InstallStopHandlers();
  engine::Rollback rollback(*log.value(), targets, options);
  std::string run_id;
  Status st = rollback.Run(point, &run_id);
  if (dry_run && st.ok()) {
    return PrintReversePlan(ctx, common, point, rollback);
  }
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("run", run_id).Field("ok", st.ok()).Field("exit_code", ExitCode(st));
    if (!st.ok()) w.Field("error", st.message());
    w.EndObject();
    ctx.out << w.str() << "\n";
  }
  if (!st.ok()) {
    const int rc = Fail(ctx, st);
    if (!rollback.conflicts().empty()) {
      PrintConflicts(ctx, rollback.conflicts(), common.reveal_secrets,
                     "Nothing was changed. Check who changed these values; `tidemark rollback --force` "
                     "overwrites them (the choice is recorded).");
    }
    return rc;
  }
  return 0;
}

}  // namespace tidemark::commands
