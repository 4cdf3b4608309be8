// Action parsing by kind name, and the questions every kind answers
// (resource, description), dispatched by type.
#include <algorithm>

#include "engine/actions/action_parser.h"
#include "engine/actions/kinds.h"

namespace tidemark::engine {
namespace {

// Parses `fields` as alternative I of ActionBody when `kind` is its name.
template <size_t I = 0>
Result<bool> ParseKind(const FieldParser& p, std::string_view kind, const YAML::Node& fields,
                       ActionBody& body) {
  if constexpr (I == std::variant_size_v<ActionBody>) {
    return false;
  } else {
    using T = std::variant_alternative_t<I, ActionBody>;
    if (kind != T::kKind) return ParseKind<I + 1>(p, kind, fields, body);
    T parsed;
    TM_RETURN_IF_ERROR(Parse(p, fields, parsed));
    body = std::move(parsed);
    return true;
  }
}

std::string KnownKinds() {
  std::vector<std::string_view> names(kActionKinds.begin(), kActionKinds.end());
  std::sort(names.begin(), names.end());
  std::string list;
  for (auto n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  return list;
}

}  // namespace

Result<Action> ParseAction(const FieldParser& p, const YAML::Node& node, ActionPosition position) {
  const YamlContext& ctx = p.ctx();
  if (!node.IsMap() || node.size() != 1) {
    return ctx.Error(node, "an action is a one-key mapping like `registry.set: {...}`");
  }
  const auto kv = *node.begin();
  const std::string kind = kv.first.Scalar();
  Action a;
  a.where = ctx.Where(kv.first);
  a.position = position;
  TM_ASSIGN_OR_RETURN(bool known, ParseKind(p, kind, kv.second, a.body));
  if (!known) {
    return ctx.Error(kv.first, "unknown action '" + kind + "' (known: " + KnownKinds() + ")");
  }
  // Only the kinds that take `secret` / `allow_failure` let them through their Parse.
  TM_ASSIGN_OR_RETURN(a.secret, ctx.Bool(kv.second, "secret", false));
  TM_ASSIGN_OR_RETURN(a.allow_failure, ctx.Bool(kv.second, "allow_failure", false));
  return a;
}

std::optional<Resource> TargetResource(const Action& a) {
  return std::visit([](const auto& kind) { return ResourceOf(kind); }, a.body);
}

std::string Describe(const Action& a) {
  return std::visit(
      [](const auto& kind) -> std::string {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (MutatingAction<T>) {
          const auto r = ResourceOf(kind);
          return "changes " + (r ? r->Display() : std::string("rows found live"));
        } else {
          return Describe(kind);
        }
      },
      a.body);
}

}  // namespace tidemark::engine
