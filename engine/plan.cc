// Plan parsing: YAML → Plan, parameter binding and validation.
#include "engine/plan.h"

#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "engine/actions/action_parser.h"
#include "engine/actions/field_parser.h"
#include "engine/yaml_util.h"

namespace tidemark::engine {
namespace {

// One entry of the plan's `watch` list.
Result<WatchItem> ParseWatch(const FieldParser& p, const YAML::Node& node) {
  const YamlContext& ctx = p.ctx();
  if (!node.IsMap() || node.size() != 1) {
    return ctx.Error(node, "a watch entry is one of registry:, table:, folder:, services:");
  }
  const auto kv = *node.begin();
  const std::string kind = kv.first.Scalar();
  const YAML::Node f = kv.second;
  WatchItem w;
  if (kind == "registry") {
    w.kind = WatchKind::kRegistry;
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"host", "key"}, "watch registry"));
    TM_ASSIGN_OR_RETURN(w.host, p.Text(f, "host", true));
    TM_ASSIGN_OR_RETURN(w.path, p.Text(f, "key", true));
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], w.host, Facility::kRegistry));
    TM_RETURN_IF_ERROR(p.CheckRegistryKey(f["key"], w.path));
  } else if (kind == "table") {
    w.kind = WatchKind::kTable;
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"database", "table"}, "watch table"));
    TM_ASSIGN_OR_RETURN(w.database, p.Text(f, "database", true));
    TM_ASSIGN_OR_RETURN(w.path, p.Text(f, "table", true));
    TM_RETURN_IF_ERROR(p.NeedDatabase(f["database"], w.database));
  } else if (kind == "folder") {
    w.kind = WatchKind::kFolder;
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"host", "path"}, "watch folder"));
    TM_ASSIGN_OR_RETURN(w.host, p.Text(f, "host", true));
    TM_ASSIGN_OR_RETURN(w.path, p.Text(f, "path", true));
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], w.host, Facility::kFiles));
    TM_RETURN_IF_ERROR(p.CheckWindowsPath(f["path"], w.path));
  } else if (kind == "services") {
    w.kind = WatchKind::kServices;
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"host", "names"}, "watch services"));
    TM_ASSIGN_OR_RETURN(w.host, p.Text(f, "host", true));
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], w.host, Facility::kServices));
    if (const YAML::Node names = f["names"]) {
      if (!names.IsSequence()) return ctx.Error(names, "'names' must be a list");
      for (const auto& n : names) {
        TM_ASSIGN_OR_RETURN(std::string s, p.Expand(n, n.Scalar()));
        w.names.push_back(s);
      }
    }
  } else {
    return ctx.Error(kv.first, "unknown watch kind '" + kind +
                                   "' (registry, table, folder, services)");
  }
  return w;
}

// Bound on a parameter's value after substitution: parameters that refer to
// each other can otherwise double at every level and exhaust memory.
constexpr size_t kMaxParameterBytes = size_t{1} << 20;

Status BindParameters(const YamlContext& ctx, const YAML::Node& decl, const Environment& env,
                      const std::map<std::string, std::string>& overrides, Plan& plan,
                      std::map<std::string, std::string>& bound) {
  std::map<std::string, std::string> raw;       // before ${} expansion of defaults
  std::map<std::string, YAML::Node> where;
  std::set<std::string> secret;
  std::vector<std::string> order;
  if (decl) {
    if (!decl.IsMap()) return ctx.Error(decl, "'parameters' must be a mapping");
    for (const auto& kv : decl) {
      const std::string name = kv.first.Scalar();
      order.push_back(name);
      where[name] = kv.first;
      const YAML::Node p = kv.second;
      if (p.IsScalar() || p.IsNull()) {
        if (p.IsScalar()) raw[name] = p.Scalar();
        continue;
      }
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(p, {"default", "description", "secret"}, "parameter " + name));
      TM_ASSIGN_OR_RETURN(bool is_secret, ctx.Bool(p, "secret", false));
      if (is_secret) secret.insert(name);
      if (p["default"]) {
        if (!p["default"].IsScalar()) return ctx.Error(p["default"], "a default must be one value");
        raw[name] = p["default"].Scalar();
      }
    }
  }
  for (const auto& [k, v] : env.parameters) {
    if (where.count(k)) raw[k] = v;  // environments may carry parameters for many plans
  }
  for (const auto& [k, v] : overrides) {
    if (!where.count(k)) {
      return Status::InvalidInput("--set " + k + "=...: the plan " + ctx.file() +
                                  " has no parameter '" + k + "'");
    }
    raw[k] = v;
  }
  // Defaults may refer to other parameters; resolve with cycle detection.
  std::map<std::string, int> mark;  // 1 = in progress, 2 = done
  std::function<Status(const std::string&)> resolve = [&](const std::string& name) -> Status {
    if (mark[name] == 2) return Status::Ok();
    if (mark[name] == 1) {
      return ctx.Error(where[name], "parameter '" + name + "' refers to itself through ${...}");
    }
    auto it = raw.find(name);
    if (it == raw.end()) {
      return ctx.Error(where[name], "parameter '" + name +
                                        "' has no value: give it with --set " + name +
                                        "=VALUE or in the environment's parameters");
    }
    mark[name] = 1;
    std::string s = it->second, out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s.compare(i, 3, "$${") == 0) {  // a literal "${", as in FieldParser::Expand
        out += "${";
        i += 2;
      } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        const size_t end = s.find('}', i + 2);
        if (end == std::string::npos) return ctx.Error(where[name], "unterminated ${");
        const std::string ref = s.substr(i + 2, end - i - 2);
        if (!where.count(ref)) {
          return ctx.Error(where[name], "parameter '" + name + "' refers to unknown ${" + ref + "}");
        }
        TM_RETURN_IF_ERROR(resolve(ref));
        out += bound[ref];
        i = end;
      } else {
        out.push_back(s[i]);
      }
    }
    if (out.size() > kMaxParameterBytes) {
      return ctx.Error(where[name], "parameter '" + name + "' expands to more than " +
                                        std::to_string(kMaxParameterBytes >> 20) +
                                        " MiB through ${...} references");
    }
    bound[name] = out;
    mark[name] = 2;
    return Status::Ok();
  };
  for (const auto& name : order) {
    TM_RETURN_IF_ERROR(resolve(name));
    plan.parameters.emplace_back(name, bound[name]);
    if (secret.count(name) && !bound[name].empty()) plan.secret_values.push_back(bound[name]);
  }
  return Status::Ok();
}

Result<Plan> Parse(const std::string& text, const std::filesystem::path& path,
                   const Environment& env, const std::map<std::string, std::string>& overrides) {
  FieldParser p(YamlContext(path.string()), env);
  const YamlContext& ctx = p.ctx();
  TM_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, path.string()));
  if (!root.IsMap()) return ctx.Error(root, "a plan file must be a mapping");
  TM_RETURN_IF_ERROR(
      ctx.OnlyKeys(root, {"name", "description", "parameters", "watch", "steps"}, "the plan"));
  Plan plan;
  plan.path = path;
  plan.text = text;
  TM_ASSIGN_OR_RETURN(plan.name, ctx.String(root, "name", true));
  TM_ASSIGN_OR_RETURN(plan.description, ctx.String(root, "description", false));
  TM_RETURN_IF_ERROR(BindParameters(ctx, root["parameters"], env, overrides, plan, p.params()));
  if (const YAML::Node watch = root["watch"]) {
    if (!watch.IsSequence()) return ctx.Error(watch, "'watch' must be a list");
    for (const auto& w : watch) {
      TM_ASSIGN_OR_RETURN(WatchItem item, ParseWatch(p, w));
      plan.watch.push_back(std::move(item));
    }
  }
  const YAML::Node steps = root["steps"];
  if (!steps || !steps.IsSequence() || steps.size() == 0) {
    return ctx.Error(steps ? steps : root, "a plan needs a non-empty 'steps' list");
  }
  std::set<std::string> ids;
  for (const auto& s : steps) {
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(s, {"id", "title", "actions"}, "a step"));
    Step step;
    step.where = ctx.Where(s);
    TM_ASSIGN_OR_RETURN(step.id, ctx.String(s, "id", true));
    for (char c : step.id) {
      if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
            c == '-' || c == '_')) {
        return ctx.Error(s["id"], "step id '" + step.id + "' may use only a-z, 0-9, '-' and '_'");
      }
    }
    if (!ids.insert(step.id).second) {
      return ctx.Error(s["id"], "duplicate step id '" + step.id + "'");
    }
    TM_ASSIGN_OR_RETURN(step.title, p.Text(s, "title", true));
    const YAML::Node actions = s["actions"];
    if (!actions || !actions.IsSequence() || actions.size() == 0) {
      return ctx.Error(actions ? actions : s, "step '" + step.id + "' needs a non-empty 'actions' list");
    }
    for (const auto& a : actions) {
      const ActionPosition at{static_cast<uint32_t>(plan.steps.size()),
                              static_cast<uint32_t>(step.actions.size())};
      TM_ASSIGN_OR_RETURN(Action action, ParseAction(p, a, at));
      step.actions.push_back(std::move(action));
    }
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

}  // namespace

std::string Step::ActionKinds() const {
  std::string out;
  for (const auto& a : actions) {
    const std::string kind(a.KindName());
    if (out.find(kind) != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + kind;
  }
  return out;
}

const Step* Plan::FindStep(const std::string& id) const {
  for (const auto& s : steps) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

Result<Plan> ParsePlan(const std::string& text, const std::filesystem::path& path,
                       const Environment& env,
                       const std::map<std::string, std::string>& overrides) {
  try {
    return Parse(text, path, env, overrides);
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(path.string() + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<Plan> LoadPlan(const std::filesystem::path& path, const Environment& env,
                      const std::map<std::string, std::string>& overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput("cannot read plan file " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ParsePlan(ss.str(), path, env, overrides);
}

}  // namespace tidemark::engine
