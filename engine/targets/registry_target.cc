// HiveRegistryTarget over a .reg hive file (and the resource check every
// registry backend shares): every call loads the file, checks,
// changes the in-memory Hive and saves it atomically (reg_file.h).
#include "engine/targets/registry_target.h"

#include <unordered_set>

#include "engine/targets/reg_file.h"
#include "store/unicode.h"

namespace tidemark::targets {
namespace {

// The hive in the file, or an empty hive when the file does not exist.
Result<Hive> LoadOrEmpty(const std::filesystem::path& file) {
  auto hive = Hive::Load(file);
  if (!hive.ok() && hive.status().Is(StatusCode::kNotFound)) return Hive();
  return hive;
}

Value CurrentValue(const Hive& hive, const Resource& r) {
  if (r.kind == ResourceKind::kRegistryKey) {
    return hive.KeyExists(r.path) ? Value::Key() : Value::Absent();
  }
  return hive.GetValue(r.path, r.name);
}

bool IsBelowFolded(const std::string& child, const std::string& parent) {
  return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 &&
         child[parent.size()] == '\\';
}

}  // namespace

HiveRegistryTarget::HiveRegistryTarget(std::string host, std::filesystem::path hive_file)
    : RegistryTarget(std::move(host)), hive_file_(std::move(hive_file)) {}

Status RegistryTarget::CheckResource(const Resource& r) const {
  if (r.kind != ResourceKind::kRegistryValue && r.kind != ResourceKind::kRegistryKey) {
    return Status::InvalidInput("registry target of " + host() + " cannot handle " +
                                ResourceKindName(r.kind) + " resource " + r.Display());
  }
  if (!EqualsIgnoreCase(r.host, host())) {
    return Status::InvalidInput("resource " + r.Display() + " is on host '" + r.host +
                                "', this registry target is for '" + host() + "'");
  }
  auto canonical = CanonicalKeyPath(r.path);
  if (!canonical.ok()) return canonical.status().Prefix(r.Display());
  return Status::Ok();
}

Status RegistryTarget::CheckWrite(const Resource& r, const Value& expected,
                                  const Value& after) const {
  TM_RETURN_IF_ERROR(CheckResource(r));
  const bool is_key = r.kind == ResourceKind::kRegistryKey;
  const ValueType present = is_key ? ValueType::kKey : ValueType::kRegistry;
  for (const Value* v : {&expected, &after}) {
    if (!v->absent() && v->type != present) {
      return Status::InvalidInput(std::string("expected a ") + ValueTypeName(present) +
                                  " or absent value for " + r.Display() + ", got " +
                                  ValueTypeName(v->type) + " " + v->ToDisplay());
    }
  }
  if (is_key && after.absent() && IsRootKeyPath(r.path)) {
    return Status::InvalidInput("refusing to delete registry root " + r.Display());
  }
  return Status::Ok();
}

Result<Value> HiveRegistryTarget::Read(const Resource& r) const {
  TM_RETURN_IF_ERROR(CheckResource(r));
  TM_ASSIGN_OR_RETURN(Hive hive, LoadOrEmpty(hive_file_));
  return CurrentValue(hive, r);
}

Status HiveRegistryTarget::Write(const Resource& r, const Value& expected,
                                 const Value& after, bool recursive) {
  TM_RETURN_IF_ERROR(CheckWrite(r, expected, after));
  const bool is_key = r.kind == ResourceKind::kRegistryKey;
  TM_ASSIGN_OR_RETURN(Hive hive, LoadOrEmpty(hive_file_));
  const Value current = CurrentValue(hive, r);
  if (current != expected) {
    return Status::Conflict(r.Display() + ": expected " + expected.ToDisplay() + ", current " +
                            current.ToDisplay());
  }
  if (current == after) return Status::Ok();
  if (!is_key) {
    if (after.absent()) {
      TM_RETURN_IF_ERROR(hive.DeleteValue(r.path, r.name));
    } else {
      TM_RETURN_IF_ERROR(hive.SetValue(r.path, r.name, after));
    }
  } else if (after.absent()) {
    if (!recursive && hive.KeyHasContent(r.path)) {
      return Status::Conflict(r.Display() +
                              ": key has values or subkeys; refusing a non-recursive delete");
    }
    TM_RETURN_IF_ERROR(hive.DeleteKey(r.path));
  } else {
    TM_RETURN_IF_ERROR(hive.CreateKey(r.path));
  }
  return hive.Save(hive_file_).Prefix("cannot write hive for " + r.Display());
}

Result<std::vector<std::pair<Resource, Value>>> HiveRegistryTarget::Enumerate(
    const std::string& key_path) const {
  TM_ASSIGN_OR_RETURN(std::string base, FoldedKeyPath(key_path));
  TM_ASSIGN_OR_RETURN(std::string base_spelled, CanonicalKeyPath(key_path));
  TM_ASSIGN_OR_RETURN(Hive hive, LoadOrEmpty(hive_file_));
  std::vector<std::pair<Resource, Value>> out;
  if (!hive.KeyExists(base)) return out;
  std::unordered_set<std::string> listed;
  auto list_key = [&](const std::string& spelled, const std::string& folded) {
    if (listed.insert(folded).second) {
      out.emplace_back(Resource::RegistryKey(host(), spelled), Value::Key());
    }
  };
  for (const RegKey& key : hive.keys()) {
    if (key.deleted) continue;
    auto folded_or = FoldedKeyPath(key.path);
    if (!folded_or.ok()) continue;  // cannot happen: the parser checked every root
    const std::string& folded = *folded_or;
    if (folded != base && !IsBelowFolded(folded, base)) continue;
    // Same length as `folded` (only the root may be spelled differently in the file).
    const std::string canonical = CanonicalKeyPath(key.path).value();
    // Ancestors between `base` and this key that have no section of their own.
    for (size_t sep = base.size(); sep < folded.size(); sep = folded.find('\\', sep + 1)) {
      const std::string ancestor = folded.substr(0, sep);
      if (listed.count(ancestor) || hive.FindKey(ancestor) != nullptr) continue;
      list_key(sep == base.size() ? base_spelled : canonical.substr(0, sep), ancestor);
    }
    list_key(key.path, folded);
    for (const RegValue& v : key.values) {
      if (v.value.absent()) continue;
      out.emplace_back(Resource::RegistryValue(host(), key.path, v.name), v.value);
    }
  }
  if (out.empty()) list_key(base_spelled, base);  // a root with nothing under it
  return out;
}

}  // namespace tidemark::targets

