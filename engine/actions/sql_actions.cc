// The SQL action kinds — sql.update (by key), sql.replace (a column's value
// in every row that has it), sql.insert, sql.delete: their fields, their
// resource and the changes they expand to.
#include <algorithm>

#include "engine/actions/kinds.h"
#include "store/secret_policy.h"
#include "store/unicode.h"

namespace tidemark::engine {
namespace {

Status ParseTable(const FieldParser& p, const YAML::Node& f, std::string& database,
                  std::string& table) {
  TM_ASSIGN_OR_RETURN(database, p.Text(f, "database", true));
  TM_ASSIGN_OR_RETURN(table, p.Text(f, "table", true));
  return p.NeedDatabase(f["database"], database);
}

Result<std::vector<RowField>> ParseRow(const FieldParser& p, const YAML::Node& f,
                                       const std::string& field) {
  TM_ASSIGN_OR_RETURN(auto parts, p.KeyMap(f, field, true));
  std::vector<RowField> row;
  for (auto& part : parts) row.push_back(RowField{part.column, std::move(part.value)});
  return row;
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, SqlUpdate& out) {
  TM_RETURN_IF_ERROR(
      p.ctx().OnlyKeys(f, {"database", "table", "key", "set", "secret"}, "sql.update"));
  TM_RETURN_IF_ERROR(ParseTable(p, f, out.database, out.table));
  TM_ASSIGN_OR_RETURN(out.key, p.KeyMap(f, "key", true));
  TM_ASSIGN_OR_RETURN(out.set, ParseRow(p, f, "set"));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, SqlReplace& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(
      f, {"database", "table", "column", "from", "to", "where", "secret"}, "sql.replace"));
  TM_RETURN_IF_ERROR(ParseTable(p, f, out.database, out.table));
  TM_ASSIGN_OR_RETURN(out.column, p.Text(f, "column", true));
  if (!f["from"] || !f["to"]) return p.ctx().Error(f, "sql.replace needs 'from' and 'to'");
  TM_ASSIGN_OR_RETURN(out.from, p.SqlValue(f["from"]));
  TM_ASSIGN_OR_RETURN(out.to, p.SqlValue(f["to"]));
  TM_ASSIGN_OR_RETURN(out.where, p.KeyMap(f, "where", false));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, SqlInsert& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"database", "table", "row", "secret"}, "sql.insert"));
  TM_RETURN_IF_ERROR(ParseTable(p, f, out.database, out.table));
  TM_ASSIGN_OR_RETURN(out.row, ParseRow(p, f, "row"));
  return Status::Ok();
}

Status Parse(const FieldParser& p, const YAML::Node& f, SqlDelete& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f, {"database", "table", "key", "secret"}, "sql.delete"));
  TM_RETURN_IF_ERROR(ParseTable(p, f, out.database, out.table));
  TM_ASSIGN_OR_RETURN(out.key, p.KeyMap(f, "key", true));
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const SqlUpdate&) { return std::nullopt; }  // one per column
std::optional<Resource> ResourceOf(const SqlReplace&) { return std::nullopt; }  // rows found live
std::optional<Resource> ResourceOf(const SqlInsert&) { return std::nullopt; }  // key from the table
std::optional<Resource> ResourceOf(const SqlDelete& a) {
  return Resource::SqlRow(a.database, a.table, a.key);
}

Status Expand(const SqlUpdate& a, ExpandContext& ctx) {
  for (const auto& f : a.set) {
    ctx.Add(Resource::SqlCell(a.database, a.table, a.key, f.column), f.value);
  }
  return Status::Ok();
}

// One change per row whose column holds `from` (and that passes `where`).
Status Expand(const SqlReplace& a, ExpandContext& ctx) {
  TM_ASSIGN_OR_RETURN(auto* db, ctx.targets.Sql(a.database));
  TM_ASSIGN_OR_RETURN(auto pk, db->PrimaryKey(a.table));
  TM_ASSIGN_OR_RETURN(auto rows, db->FindRows(a.table, pk, a.column, a.from));
  for (const auto& row_key : rows) {
    bool keep = true;
    for (const auto& cond : a.where) {
      TM_ASSIGN_OR_RETURN(Value v,
                          db->Read(Resource::SqlCell(a.database, a.table, row_key, cond.column)));
      if (!(v == cond.value)) keep = false;
    }
    // Not carried as `before`: the database's collation decides what matched `from`.
    if (keep) ctx.Add(Resource::SqlCell(a.database, a.table, row_key, a.column), a.to);
  }
  if (ctx.changes.empty() && !ctx.lenient) {
    const Resource column = Resource::SqlCell(a.database, a.table, {}, a.column);
    return Status::Failed("no row of " + a.database + "." + a.table + " has " + a.column + " = " +
                          store::ShowValue(a.from, &column, ctx.action.secret, false) +
                          (a.where.empty() ? "" : " (with the where filter)"));
  }
  return Status::Ok();
}

Status Expand(const SqlInsert& a, ExpandContext& ctx) {
  TM_ASSIGN_OR_RETURN(auto* db, ctx.targets.Sql(a.database));
  TM_ASSIGN_OR_RETURN(auto pk, db->PrimaryKey(a.table));
  std::vector<KeyPart> key;
  for (const auto& col : pk) {
    auto it = std::find_if(a.row.begin(), a.row.end(),
                           [&](const RowField& f) { return EqualsIgnoreCase(f.column, col); });
    if (it == a.row.end()) {
      return Status::InvalidInput(ctx.action.where + ": sql.insert row lacks primary-key column " +
                                  col);
    }
    key.push_back(KeyPart{it->column, it->value});
  }
  ctx.Add(Resource::SqlRow(a.database, a.table, key), Value::Row(a.row));
  return Status::Ok();
}

Status Expand(const SqlDelete& a, ExpandContext& ctx) {
  ctx.Add(Resource::SqlRow(a.database, a.table, a.key), Value::Absent());
  return Status::Ok();
}

}  // namespace tidemark::engine
