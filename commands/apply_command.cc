// `tidemark apply PLAN --env ENV [--set k=v]...`: run an upgrade plan.
#include "commands/commands.h"
#include "commands/exit_code.h"
#include "commands/json_writer.h"
#include "commands/run_output.h"
#include "engine/executor.h"
#include "engine/preflight.h"
#include "engine/process/interrupt.h"

namespace tidemark::commands {

// Parses --set k=v into a map; InvalidInput for a malformed pair.
Result<std::map<std::string, std::string>> ParseSets(const std::vector<std::string>& sets) {
  std::map<std::string, std::string> out;
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidInput("--set expects NAME=VALUE, got '" + s + "'");
    }
    out[s.substr(0, eq)] = s.substr(eq + 1);
  }
  return out;
}

int RunApply(Context& ctx) {
  po::options_description desc("apply");
  std::string plan_path, env_path;
  std::vector<std::string> sets, confirm;
  bool yes = false;
  desc.add_options()
      ("plan", po::value<std::string>(&plan_path), "plan file (YAML)")
      ("env", po::value<std::string>(&env_path), "environment file (YAML)")
      ("set", po::value<std::vector<std::string>>(&sets), "override a parameter: NAME=VALUE (repeatable)")
      ("yes,y", po::bool_switch(&yes), "confirm manual steps without asking (scripted use)")
      ("confirm", po::value<std::vector<std::string>>(&confirm),
       "STEP: confirm that step's judged manual prompts (judge: true; --yes does not; repeatable)");
  po::positional_options_description pos;
  pos.add("plan", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "apply PLAN --env ENV [--set NAME=VALUE]... [--yes] [--confirm STEP]...", code)) {
    return code;
  }
  if (plan_path.empty()) return Fail(ctx, Status::InvalidInput("which plan? usage: tidemark apply PLAN --env ENV"));
  if (env_path.empty()) return Fail(ctx, Status::InvalidInput("--env ENV is required"));
  auto overrides = ParseSets(sets);
  if (!overrides.ok()) return Fail(ctx, overrides.status());
  auto env = engine::LoadEnvironment(env_path);
  if (!env.ok()) return Fail(ctx, env.status());
  auto plan = engine::LoadPlan(plan_path, env.value(), overrides.value());
  if (!plan.ok()) return Fail(ctx, plan.status());
  if (Status st = RequireWayToConfirm(ctx, plan.value(), yes, {}, {confirm.begin(), confirm.end()});
      !st.ok()) return Fail(ctx, st);
  // Every host, hive, folder, service manager and database the plan touches
  // is reached before the first change.
  engine::TargetSet targets(env.value());
  if (Status st = engine::PreflightStatus(engine::Preflight(targets, plan.value())); !st.ok()) {
    return Fail(ctx, st);
  }
  // Validated: only now is the journal touched.
  auto log = OpenJournal(common, store::OpenMode::kCreate);
  if (!log.ok()) return Fail(ctx, log.status());
  engine::ExecOptions options;
  options.yes = yes;
  options.confirmed_steps = {confirm.begin(), confirm.end()};
  options.confirm = TerminalConfirm(ctx);
  options.progress = ProgressPrinter(ctx, common.json);
  options.command_line = ctx.command_line;
  process::InstallStopHandlers();
  engine::Executor executor(*log.value(), targets, options);
  std::string run_id;
  Status st = executor.Apply(plan.value(), &run_id);
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("run", run_id).Field("ok", st.ok()).Field("exit_code", ExitCode(st));
    if (!st.ok()) w.Field("error", st.message());
    w.Field("head_seq", log.value()->head().seq).EndObject();
    ctx.out << w.str() << "\n";
  }
  if (!st.ok()) {
    int rc = Fail(ctx, st);
    if (!run_id.empty()) {
      ctx.err << "The run " << run_id << " is recorded up to the last change. Next: `tidemark status`, "
              << "then `tidemark resume` to continue or `tidemark rollback --dry-run` to see how to undo it.\n";
    }
    return rc;
  }
  return 0;
}

}  // namespace tidemark::commands
