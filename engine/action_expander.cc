// Expansion of plan actions into resource changes: dispatch to the kinds.
#include "engine/action_expander.h"

#include "engine/actions/kinds.h"

namespace tidemark::engine {

Change& ExpandContext::Add(Resource r, Value after, std::optional<Value> before) {
  Change c;
  c.resource = std::move(r);
  c.after = std::move(after);
  c.before = std::move(before);
  c.action = std::string(action.KindName());
  c.position = action.position;
  c.secret = action.secret;
  changes.push_back(std::move(c));
  return changes.back();
}

Result<std::vector<Change>> ExpandAction(TargetSet& targets, const Action& a, bool lenient,
                                         std::string* note) {
  ExpandContext ctx{targets, a, lenient, {}, {}};
  Status st = std::visit(
      [&](const auto& kind) -> Status {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (MutatingAction<T>) {
          return Expand(kind, ctx);
        } else {
          return Status::InvalidInput(a.where + ": action " + std::string(T::kKind) +
                                      " is not executable");
        }
      },
      a.body);
  TM_RETURN_IF_ERROR(st);
  if (note) *note = std::move(ctx.note);
  return std::move(ctx.changes);
}

}  // namespace tidemark::engine
