// `tidemark plan check PLAN [--env ENV]`: validate a plan and, with an
// environment, show what each action would change given the live values (a
// dry run that writes nothing). `tidemark env check ENV`: validate an
// environment and reach each host's registry, files and services and each database.
#include "commands/commands.h"
#include "commands/json_writer.h"
#include "commands/render.h"
#include "commands/table.h"
#include "engine/action_expander.h"
#include "engine/preflight.h"
#include "engine/target_set.h"
#include "store/secret_policy.h"

namespace tidemark::commands {
namespace {

// The plan's header lines: name, steps and bound parameters (secret ones as ***).
void PrintPlanHeader(Context& ctx, const std::string& plan_path, const engine::Plan& plan,
                     const store::SecretPolicy& secrets, bool reveal) {
  std::string text = plan_path + ": valid plan '" + plan.name + "', " +
                     std::to_string(plan.steps.size()) + " steps\n";
  for (const auto& [k, v] : plan.parameters) {
    text += "  " + k + " = " + store::ShowParameter(k, v, secrets.ContainsSecret(v), reveal) + "\n";
  }
  ctx.out << store::EscapeForTerminal(text, /*keep_newlines=*/true);
}

// One row (and JSON object) for a change the dry run found: the live value
// and what the plan would set. Returns 1 when the live value cannot be read.
template <typename Redact>
int AddPlannedChange(const std::string& step, const std::string& kind, const engine::Change& c,
                     engine::TargetSet& targets, const store::SecretPolicy& secrets, bool reveal,
                     const Redact& redact, Table& t, JsonWriter& w) {
  auto now = c.before ? Result<Value>(*c.before) : targets.Read(c.resource);
  const bool secret = c.secret ||
                      secrets.IsSecretValue(c.resource, c.after, c.after_content.value_or("")) ||
                      (now.ok() && secrets.IsSecretValue(c.resource, now.value()));
  const std::string now_text = now.ok() ? store::ShowValue(now.value(), &c.resource, secret, reveal)
                                        : "ERROR: " + redact(now.status().message());
  Value after = c.after;
  if (now.ok() && after.type == ValueType::kService && now->type == ValueType::kService) {
    if (after.run == ServiceRun::kUnknown) after.run = now->run;
    if (after.start == StartType::kUnknown) after.start = now->start;
  }
  const bool same = now.ok() && engine::Matches(now.value(), after);
  t.Add({step, kind, c.resource.Display(), now_text, same ? "=" : "→",
         same ? "(already so)" : store::ShowValue(after, &c.resource, secret, reveal)});
  w.BeginObject().Field("step", step).Field("action", kind);
  w.Key("resource");
  WriteResourceJson(w, c.resource);
  if (now.ok()) {
    w.Key("current");
    WriteValueJson(w, now.value(), &c.resource, secret, reveal);
  }
  w.Key("planned");
  WriteValueJson(w, after, &c.resource, secret, reveal);
  w.Field("unchanged", same).EndObject();
  return now.ok() ? 0 : 1;
}

}  // namespace

int RunPlanCheck(Context& ctx) {
  po::options_description desc("plan check");
  std::string plan_path, env_path;
  std::vector<std::string> sets;
  desc.add_options()
      ("plan", po::value<std::string>(&plan_path), "plan file")
      ("env", po::value<std::string>(&env_path), "environment file (enables host/database checks and the dry run)")
      ("set", po::value<std::vector<std::string>>(&sets), "override a parameter: NAME=VALUE");
  po::positional_options_description pos;
  pos.add("plan", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "plan check PLAN [--env ENV] [--set NAME=VALUE]...", code)) {
    return code;
  }
  if (plan_path.empty()) return Fail(ctx, Status::InvalidInput("which plan? usage: tidemark plan check PLAN"));
  auto overrides = ParseSets(sets);
  if (!overrides.ok()) return Fail(ctx, overrides.status());
  engine::Environment env;
  if (!env_path.empty()) {
    auto loaded = engine::LoadEnvironment(env_path);
    if (!loaded.ok()) return Fail(ctx, loaded.status());
    env = std::move(loaded).value();
  }
  auto plan = engine::LoadPlan(plan_path, env, overrides.value());
  if (!plan.ok()) return Fail(ctx, plan.status());
  JsonWriter w;
  w.BeginObject().Field("plan", plan->name).Field("valid", true).Field("steps", static_cast<uint64_t>(plan->steps.size()));
  const store::SecretPolicy secrets(plan->secret_values);
  const bool reveal = common.reveal_secrets;
  auto redact = [&](const std::string& text) { return reveal ? text : secrets.Redact(text); };
  if (!common.json) PrintPlanHeader(ctx, plan_path, plan.value(), secrets, reveal);
  if (env_path.empty()) {
    if (!common.json) ctx.out << "(give --env ENV to check hosts and databases and to see what would change)\n";
    w.EndObject();
    if (common.json) ctx.out << w.str() << "\n";
    return 0;
  }
  engine::TargetSet targets(env);
  Table t({"STEP", "ACTION", "RESOURCE", "NOW", "", "PLANNED"});
  w.Key("changes").BeginArray();
  int problems = 0;
  engine::DryRunKeys keys;  // what earlier actions would have done
  for (const auto& step : plan->steps) {
    for (const auto& a : step.actions) {
      const std::string kind(a.KindName());
      if (!engine::ExpandsToChanges(a)) {
        const auto* cp = a.As<engine::TakeCheckpoint>();
        t.Add({step.id, kind, cp ? cp->name : "", "", "", redact(engine::Describe(a))});
        if (a.As<engine::Exec>() || a.As<engine::Manual>()) keys.after_opaque = true;
        continue;
      }
      std::string note;
      auto changes = engine::ExpandAction(targets, a, false, &note, &keys);
      if (!changes.ok()) {
        t.Add({step.id, kind, "", "", "", "WOULD FAIL: " + redact(changes.status().message())});
        ++problems;
        continue;
      }
      for (const auto& c : changes.value()) {
        problems += AddPlannedChange(step.id, kind, c, targets, secrets, reveal, redact, t, w);
        keys.Planned(c);
      }
      if (!note.empty()) t.Add({step.id, kind, "", "", "", "NOTE: " + redact(note)});
    }
  }
  w.EndArray();
  // The same reach check apply makes before its first change.
  const auto unreachable = engine::Preflight(targets, plan.value());
  w.Key("unreachable").BeginArray();
  for (const auto& p : unreachable) {
    w.BeginObject().Field("what", p.what).Field("name", p.name).Field("error", redact(p.message)).EndObject();
  }
  w.EndArray();
  problems += static_cast<int>(unreachable.size());
  w.Field("problems", static_cast<int64_t>(problems)).EndObject();
  if (common.json) {
    ctx.out << w.str() << "\n";
  } else {
    ctx.out << "\nWhat it would do now (dry run, nothing written):\n";
    t.Print(ctx.out);
    for (const auto& p : unreachable) {
      ctx.out << (p.what == "registry key" ? "MISSING " : "UNREACHABLE ") << p.what << (p.name.empty() ? "" : " " + p.name) << ": "
              << redact(p.message) << "\n";
    }
    if (problems) {
      ctx.out << "\n" << problems << " problem(s): apply would refuse to start (exit 2)\n";
    }
  }
  return problems ? 2 : 0;
}

int RunEnvCheck(Context& ctx) {
  po::options_description desc("env check");
  std::string env_path;
  desc.add_options()("env", po::value<std::string>(&env_path), "environment file");
  po::positional_options_description pos;
  pos.add("env", 1);
  po::variables_map vm;
  CommonOptions common;
  int code = 0;
  if (!ParseArgs(ctx, desc, pos, vm, common, "env check ENV", code)) return code;
  if (env_path.empty()) return Fail(ctx, Status::InvalidInput("which environment? usage: tidemark env check ENV"));
  auto env = engine::LoadEnvironment(env_path);
  if (!env.ok()) return Fail(ctx, env.status());
  engine::TargetSet targets(env.value());
  Table t({"WHAT", "NAME", "STATUS"});
  int problems = 0;
  auto check = [&](const std::string& what, const std::string& name, const Status& st) {
    t.Add({what, name, st.ok() ? "ok" : st.message()});
    if (!st.ok()) ++problems;
  };
  for (const auto& [key, host] : env->hosts) {
    if (targets::HasBackend(host.registry)) {
      auto reg = targets.Registry(host.name);
      Status st = reg.status();
      if (st.ok()) st = reg.value()->Enumerate("HKEY_LOCAL_MACHINE").status();
      check("registry", host.name + " (" + targets::Describe(host.registry) + ")", st);
    }
    if (const auto* mapped = std::get_if<targets::MappedFiles>(&host.files)) {
      std::error_code ec;
      check("files", host.name + " (" + targets::Describe(host.files) + ")",
            std::filesystem::is_directory(mapped->root, ec)
                ? Status::Ok()
                : Status::NotFound("root folder does not exist"));
    }
    if (targets::HasBackend(host.services)) {
      auto svc = targets.Services(host.name);
      Status st = svc.status();
      if (st.ok()) st = svc.value()->Enumerate({}).status();
      check("services", host.name + " (" + targets::Describe(host.services) + ")", st);
    }
  }
  for (const auto& [name, db] : env->databases) {
    check("database", name, targets.Sql(name).status());
  }
  if (common.json) {
    JsonWriter w;
    w.BeginObject().Field("ok", problems == 0).Field("problems", static_cast<int64_t>(problems)).EndObject();
    ctx.out << w.str() << "\n";
  } else {
    t.Print(ctx.out);
  }
  return problems ? 2 : 0;
}

}  // namespace tidemark::commands
