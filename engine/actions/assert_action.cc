// The assert action kind: one resource (registry value, SQL cell, file or
// service) and what must hold for it — equals, absent, contains, state —
// parsed, and checked against the live value.
#include "engine/actions/kinds.h"
#include "store/secret_policy.h"

namespace tidemark::engine {
namespace {

// The resource: host+key+name, database+table+key+column, host+path or host+service.
Result<Resource> ParseAssertResource(const FieldParser& p, const YAML::Node& f, Assert& out) {
  const YamlContext& ctx = p.ctx();
  TM_ASSIGN_OR_RETURN(std::string host, p.Text(f, "host", false));
  TM_ASSIGN_OR_RETURN(std::string database, p.Text(f, "database", false));
  std::string key;
  if (database.empty()) {  // a SQL assert's `key` is a column map, not a registry key
    TM_ASSIGN_OR_RETURN(key, p.Text(f, "key", false));
  }
  TM_ASSIGN_OR_RETURN(std::string table, p.Text(f, "table", false));
  TM_ASSIGN_OR_RETURN(std::string column, p.Text(f, "column", false));
  TM_ASSIGN_OR_RETURN(std::string path, p.Text(f, "path", false));
  TM_ASSIGN_OR_RETURN(std::string service, p.Text(f, "service", false));
  if (!key.empty()) {
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], host, Facility::kRegistry));
    TM_RETURN_IF_ERROR(p.CheckRegistryKey(f["key"], key));
    TM_ASSIGN_OR_RETURN(std::string name, p.Text(f, "name", true));
    if (f["equals"]) {
      TM_ASSIGN_OR_RETURN(std::string type, p.Text(f, "type", false));
      TM_ASSIGN_OR_RETURN(out.equals, p.RegistryValue(f, f["equals"], type));
    }
    return Resource::RegistryValue(host, key, name);
  }
  if (!database.empty()) {
    TM_RETURN_IF_ERROR(p.NeedDatabase(f["database"], database));
    if (table.empty() || column.empty()) {
      return ctx.Error(f, "a SQL assert needs table, key and column");
    }
    TM_ASSIGN_OR_RETURN(auto row_key, p.KeyMap(f, "key", true));
    if (f["equals"]) {
      TM_ASSIGN_OR_RETURN(out.equals, p.SqlValue(f["equals"]));
    }
    return Resource::SqlCell(database, table, row_key, column);
  }
  if (!path.empty()) {
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], host, Facility::kFiles));
    TM_RETURN_IF_ERROR(p.CheckWindowsPath(f["path"], path));
    return Resource::File(host, path);
  }
  if (!service.empty()) {
    TM_RETURN_IF_ERROR(p.NeedHost(f["host"], host, Facility::kServices));
    TM_ASSIGN_OR_RETURN(std::string state, p.Text(f, "state", true));
    auto run = ParseServiceRun(state);
    if (!run) return ctx.Error(f["state"], "state must be running, stopped or paused");
    out.state = *run;
    return Resource::Service(host, service);
  }
  return ctx.Error(f, "assert needs a resource: host+key+name, database+table+key+column, "
                      "host+path, or host+service");
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, Assert& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f,
                                      {"host", "key", "name", "type", "database", "table",
                                       "column", "path", "service", "equals", "absent",
                                       "contains", "state", "secret"},
                                      "assert"));
  TM_ASSIGN_OR_RETURN(out.expect_absent, p.ctx().Bool(f, "absent", false));
  TM_ASSIGN_OR_RETURN(out.contains, p.Text(f, "contains", false));
  TM_ASSIGN_OR_RETURN(out.resource, ParseAssertResource(p, f, out));
  if (!out.equals && !out.expect_absent && out.contains.empty() &&
      out.state == ServiceRun::kUnknown) {
    return p.ctx().Error(f, "assert needs one of equals, absent, contains or state");
  }
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const Assert& a) { return a.resource; }

std::string Describe(const Assert&) { return "checks"; }

Result<std::string> Check(const Assert& a, bool secret, TargetSet& targets, Value& current) {
  const Resource& r = a.resource;
  TM_ASSIGN_OR_RETURN(current, targets.Read(r));
  auto show = [&](const Value& v) { return store::ShowValue(v, &r, secret, false); };
  std::string failure;
  if (a.expect_absent && !current.absent()) failure = "expected absent, found " + show(current);
  if (a.equals && !Matches(current, *a.equals)) {
    failure = "expected " + show(*a.equals) + ", found " + show(current);
  }
  if (!a.contains.empty() && r.kind == ResourceKind::kRegistryValue) {
    // A REG_SZ / REG_EXPAND_SZ: its text, as registry.replace sees it.
    const std::optional<std::string> text = current.AsRegString();
    if (!text || text->find(a.contains) == std::string::npos) {
      failure = "expected a text containing '" + (secret ? std::string("***") : a.contains) +
                "', found " + show(current);
    }
  } else if (!a.contains.empty()) {
    TM_ASSIGN_OR_RETURN(auto content, targets.ReadContent(r));
    if (!content || content->find(a.contains) == std::string::npos) {
      failure = "expected the file to contain '" + a.contains + "'";
    }
  }
  if (a.state != ServiceRun::kUnknown && r.kind == ResourceKind::kService &&
      (current.type != ValueType::kService || current.run != a.state)) {
    failure = std::string("expected ") + ServiceRunName(a.state) + ", found " + current.ToDisplay();
  }
  return failure;
}

}  // namespace tidemark::engine
