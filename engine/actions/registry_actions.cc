// The registry action kinds — registry.set, registry.delete,
// registry.create_key, registry.delete_key: their fields, their resource and
// the changes they expand to (keys created on the way are changes too).
#include <algorithm>

#include "engine/actions/kinds.h"

namespace tidemark::engine {
namespace {

// host and key, common to every registry kind.
Status ParseAddress(const FieldParser& p, const YAML::Node& f, std::string& host,
                    std::string& key) {
  TM_ASSIGN_OR_RETURN(host, p.Text(f, "host", true));
  TM_ASSIGN_OR_RETURN(key, p.Text(f, "key", true));
  TM_RETURN_IF_ERROR(p.CheckRegistryKey(f["key"], key));
  return p.NeedHost(f["host"], host, Facility::kRegistry);
}

Result<std::string> ParseValueName(const FieldParser& p, const YAML::Node& f) {
  if (!f["name"]) return p.ctx().Error(f, "missing required field 'name' (\"\" = default value)");
  return p.Text(f, "name", true);
}

// Keys of `key_path` (outermost first) that do not exist yet are changes of
// their own, so that rollback removes them again. Reads from the deepest key
// up to the first that exists (a key implies its parents); `deepest`
// receives the live value of `key_path` itself.
Status AddMissingKeys(ExpandContext& ctx, const std::string& host, const std::string& key_path,
                      Value* deepest) {
  std::vector<std::string> paths;  // every key from the root's child down to key_path
  for (size_t pos = key_path.find('\\'); pos != std::string::npos;
       pos = key_path.find('\\', pos + 1)) {
    if (pos + 1 < key_path.size()) paths.push_back(key_path.substr(0, key_path.find('\\', pos + 1)));
  }
  std::vector<Resource> missing;  // deepest first
  for (auto it = paths.rbegin(); it != paths.rend(); ++it) {
    Resource key = Resource::RegistryKey(host, *it);
    TM_ASSIGN_OR_RETURN(Value v, ctx.targets.Read(key));
    if (deepest && it == paths.rbegin()) *deepest = v;
    if (!v.absent()) break;
    missing.push_back(std::move(key));
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    ctx.Add(*it, Value::Key(), Value::Absent());
  }
  return Status::Ok();
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, RegistrySet& out) {
  TM_RETURN_IF_ERROR(
      p.ctx().OnlyKeys(f, {"host", "key", "name", "value", "type", "secret"}, "registry.set"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.name, ParseValueName(p, f));
  TM_ASSIGN_OR_RETURN(std::string type, p.Text(f, "type", false));
  TM_ASSIGN_OR_RETURN(out.value, p.RegistryValue(f, f["value"], type));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryDelete& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key", "name", "secret"}, "registry.delete"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.name, ParseValueName(p, f));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryCreateKey& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key"}, "registry.create_key"));
  return ParseAddress(p, f, out.host, out.key);
}

Status Parse(const FieldParser& p, const YAML::Node& f, RegistryDeleteKey& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"host", "key", "recursive"}, "registry.delete_key"));
  TM_RETURN_IF_ERROR(ParseAddress(p, f, out.host, out.key));
  TM_ASSIGN_OR_RETURN(out.recursive, p.ctx().Bool(f, "recursive", false));
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const RegistrySet& a) {
  return Resource::RegistryValue(a.host, a.key, a.name);
}
std::optional<Resource> ResourceOf(const RegistryDelete& a) {
  return Resource::RegistryValue(a.host, a.key, a.name);
}
std::optional<Resource> ResourceOf(const RegistryCreateKey& a) {
  return Resource::RegistryKey(a.host, a.key);
}
std::optional<Resource> ResourceOf(const RegistryDeleteKey& a) {
  return Resource::RegistryKey(a.host, a.key);
}

// One read of the value in the common case: a value that exists implies its
// keys; only a new value makes the keys above it worth reading.
Status Expand(const RegistrySet& a, ExpandContext& ctx) {
  const Resource value = Resource::RegistryValue(a.host, a.key, a.name);
  TM_ASSIGN_OR_RETURN(Value before, ctx.targets.Read(value));
  if (before.absent()) TM_RETURN_IF_ERROR(AddMissingKeys(ctx, a.host, a.key, nullptr));
  ctx.Add(value, a.value, before);
  return Status::Ok();
}

Status Expand(const RegistryDelete& a, ExpandContext& ctx) {
  ctx.Add(Resource::RegistryValue(a.host, a.key, a.name), Value::Absent());
  return Status::Ok();
}

Status Expand(const RegistryCreateKey& a, ExpandContext& ctx) {
  Value key_now;
  TM_RETURN_IF_ERROR(AddMissingKeys(ctx, a.host, a.key, &key_now));
  const Resource key = Resource::RegistryKey(a.host, a.key);
  if (std::none_of(ctx.changes.begin(), ctx.changes.end(),
                   [&](const Change& c) { return c.resource.Identity() == key.Identity(); })) {
    ctx.Add(key, Value::Key(), key_now);  // a root, or a key that exists: a noop
  }
  return Status::Ok();
}

// A recursive delete records every value and subkey (values first, then keys
// deepest first) so that rollback can recreate them.
Status Expand(const RegistryDeleteKey& a, ExpandContext& ctx) {
  if (!a.recursive) {
    ctx.Add(Resource::RegistryKey(a.host, a.key), Value::Absent());
    return Status::Ok();
  }
  TM_ASSIGN_OR_RETURN(auto* reg, ctx.targets.Registry(a.host));
  TM_ASSIGN_OR_RETURN(auto entries, reg->Enumerate(a.key));
  std::vector<std::pair<Resource, Value>> keys;
  for (auto& [r, v] : entries) {
    if (r.kind == ResourceKind::kRegistryValue) {
      ctx.Add(r, Value::Absent(), v);
    } else {
      keys.emplace_back(r, v);
    }
  }
  std::stable_sort(keys.begin(), keys.end(), [](const auto& x, const auto& y) {
    return x.first.path.size() > y.first.path.size();
  });
  for (auto& [r, v] : keys) ctx.Add(r, Value::Absent(), v);
  if (keys.empty()) ctx.Add(Resource::RegistryKey(a.host, a.key), Value::Absent());
  return Status::Ok();
}

}  // namespace tidemark::engine
