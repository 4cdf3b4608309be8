// Expansion of plan actions into resource changes.
#include "engine/action_expander.h"

#include <algorithm>

#include "store/sha256.h"
#include "store/unicode.h"

namespace tidemark::engine {

Result<std::vector<Change>> ExpandAction(TargetSet& targets, const Action& a,
                                         const std::string& label, bool lenient,
                                         std::string* note) {
  std::vector<Change> changes;
  auto add = [&](Resource r, Value after, std::optional<std::string> content = std::nullopt) {
    Change c;
    c.resource = std::move(r);
    c.after = std::move(after);
    c.after_content = std::move(content);
    c.action = label;
    c.secret = a.secret;
    changes.push_back(std::move(c));
  };
  // Keys a registry change would create implicitly are recorded as changes of
  // their own (outermost first), so that rollback removes them again.
  auto add_missing_keys = [&](const std::string& key_path) -> Status {
    std::vector<std::string> prefixes;
    for (size_t pos = key_path.find('\\'); pos != std::string::npos;
         pos = key_path.find('\\', pos + 1)) {
      if (pos + 1 < key_path.size()) prefixes.push_back(key_path.substr(0, key_path.find('\\', pos + 1)));
    }
    for (const auto& p : prefixes) {
      const Resource key = Resource::RegistryKey(a.host, p);
      TM_ASSIGN_OR_RETURN(Value v, targets.Read(key));
      if (v.absent()) add(key, Value::Key());
    }
    return Status::Ok();
  };
  const std::string& k = a.kind;
  if (k == "registry.set") {
    TM_RETURN_IF_ERROR(add_missing_keys(a.key));
    add(Resource::RegistryValue(a.host, a.key, a.name), a.value);
  } else if (k == "registry.delete") {
    add(Resource::RegistryValue(a.host, a.key, a.name), Value::Absent());
  } else if (k == "registry.create_key") {
    TM_RETURN_IF_ERROR(add_missing_keys(a.key));
    const Resource key = Resource::RegistryKey(a.host, a.key);
    if (std::none_of(changes.begin(), changes.end(),
                     [&](const Change& c) { return c.resource.Identity() == key.Identity(); })) {
      add(key, Value::Key());
    }
  } else if (k == "registry.delete_key") {
    if (a.recursive) {
      // Record every value and subkey so that rollback can recreate them.
      TM_ASSIGN_OR_RETURN(auto* reg, targets.Registry(a.host));
      TM_ASSIGN_OR_RETURN(auto entries, reg->Enumerate(a.key));
      std::vector<Resource> keys;
      for (auto& [r, v] : entries) {
        if (r.kind == ResourceKind::kRegistryValue) add(r, Value::Absent());
        else keys.push_back(r);
      }
      std::stable_sort(keys.begin(), keys.end(), [](const Resource& x, const Resource& y) {
        return x.path.size() > y.path.size();
      });
      for (auto& r : keys) add(r, Value::Absent());
      if (keys.empty()) add(Resource::RegistryKey(a.host, a.key), Value::Absent());
    } else {
      add(Resource::RegistryKey(a.host, a.key), Value::Absent());
    }
  } else if (k == "sql.update") {
    for (const auto& f : a.fields) {
      add(Resource::SqlCell(a.database, a.table, a.sql_key, f.column), f.value);
    }
  } else if (k == "sql.replace") {
    TM_ASSIGN_OR_RETURN(auto* db, targets.Sql(a.database));
    TM_ASSIGN_OR_RETURN(auto pk, db->PrimaryKey(a.table));
    TM_ASSIGN_OR_RETURN(auto rows, db->FindRows(a.table, pk, a.column, a.value));
    for (const auto& row_key : rows) {
      bool keep = true;
      for (const auto& cond : a.where_parts) {
        TM_ASSIGN_OR_RETURN(Value v, db->Read(Resource::SqlCell(a.database, a.table, row_key,
                                                                cond.column)));
        if (!(v == cond.value)) keep = false;
      }
      if (keep) add(Resource::SqlCell(a.database, a.table, row_key, a.column), a.to);
    }
    if (changes.empty() && !lenient) {
      const Resource column = Resource::SqlCell(a.database, a.table, {}, a.column);
      return Status::Failed("no row of " + a.database + "." + a.table + " has " + a.column + " = " +
                            store::ShowValue(a.value, &column, a.secret, false) +
                            (a.where_parts.empty() ? "" : " (with the where filter)"));
    }
  } else if (k == "sql.insert" || k == "sql.delete") {
    TM_ASSIGN_OR_RETURN(auto* db, targets.Sql(a.database));
    std::vector<KeyPart> key = a.sql_key;
    if (k == "sql.insert") {
      TM_ASSIGN_OR_RETURN(auto pk, db->PrimaryKey(a.table));
      for (const auto& col : pk) {
        auto it = std::find_if(a.fields.begin(), a.fields.end(),
                               [&](const RowField& f) { return EqualsIgnoreCase(f.column, col); });
        if (it == a.fields.end()) {
          return Status::InvalidInput(a.where + ": sql.insert row lacks primary-key column " + col);
        }
        key.push_back(KeyPart{it->column, it->value});
      }
    }
    add(Resource::SqlRow(a.database, a.table, key),
        k == "sql.insert" ? Value::Row(a.fields) : Value::Absent());
  } else if (k == "file.replace") {
    const Resource r = Resource::File(a.host, a.path);
    TM_ASSIGN_OR_RETURN(auto content, targets.ReadContent(r));
    if (!content) return Status::Failed(r.Display() + " does not exist");
    std::string updated = *content;
    const size_t n = targets::ReplaceAll(updated, a.text_from, a.text_to);
    if (n == 0) {
      if (lenient) return changes;
      return Status::Failed("'" + a.text_from + "' does not occur in " + r.Display());
    }
    if (note) *note = r.Display() + ": " + std::to_string(n) + " occurrence(s) of '" + a.text_from + "'";
    const Value after = Value::File(Sha256Hex(updated), static_cast<int64_t>(updated.size()));
    add(r, after, std::move(updated));
  } else if (k == "file.write") {
    add(Resource::File(a.host, a.path),
        Value::File(Sha256Hex(a.content), static_cast<int64_t>(a.content.size())), a.content);
  } else if (k.rfind("service.", 0) == 0) {
    add(Resource::Service(a.host, a.name), Value::Service(a.run, a.start));
  } else {
    return Status::InvalidInput(a.where + ": action " + k + " is not executable");
  }
  return changes;
}

}  // namespace tidemark::engine
