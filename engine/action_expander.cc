// Expansion of plan actions into resource changes: dispatch to the kinds.
#include "engine/action_expander.h"

#include "engine/actions/kinds.h"
#include "store/unicode.h"

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

Result<Value> ExpandContext::Read(const Resource& r) {
  if (dry_run) {
    if (auto it = dry_run->planned.find(r.Identity()); it != dry_run->planned.end()) return it->second;
  }
  return targets.Read(r);
}

void DryRunKeys::Planned(const Change& c) {
  planned[c.resource.Identity()] = c.after;
  if (c.resource.kind == ResourceKind::kRegistryKey && c.after.type == ValueType::kKey) {
    created.emplace_back(c.resource.host, c.resource.path);
  }
}

bool DryRunKeys::Covers(const std::string& host, const std::string& key) const {
  return CoveredByCreatedKey(created, host, key);
}

bool CoveredByCreatedKey(const std::vector<std::pair<std::string, std::string>>& created,
                         const std::string& host, const std::string& key) {
  const std::string k = AsciiLower(key);
  for (const auto& [h, c] : created) {
    if (AsciiLower(h) != AsciiLower(host)) continue;
    const std::string lc = AsciiLower(c);
    if (lc == k || (lc.size() > k.size() && lc.compare(0, k.size(), k) == 0 && lc[k.size()] == '\\')) {
      return true;
    }
  }
  return false;
}

Result<std::vector<Change>> ExpandAction(TargetSet& targets, const Action& a, bool lenient,
                                         std::string* note, const DryRunKeys* dry_run) {
  ExpandContext ctx{targets, a, lenient, dry_run, {}, {}};
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
