// The assert action kind: one resource (registry value, SQL cell, file or
// service) and what must hold for it — equals, absent, contains, state —
// parsed, and checked against the live value.
#include <cstdio>
#include <exception>
#include <string>

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

// free_space: a percentage of the file's size, "10%" (or 10), more than 0
// and at most 1000.
Result<std::optional<double>> ParseFreeSpace(const FieldParser& p, const YAML::Node& f) {
  TM_ASSIGN_OR_RETURN(std::string text, p.Text(f, "free_space", false));
  if (text.empty()) return std::optional<double>();
  std::string number = text;
  if (number.back() == '%') number.pop_back();
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != number.size() || !(v > 0 && v <= 1000)) {
    return p.ctx().Error(f["free_space"], "free_space must be a percentage of the file's size "
                                          "such as 10% (more than 0, at most 1000), not '" + text + "'");
  }
  return std::optional<double>(v);
}

// "1.5 GB": bytes for the admin.
std::string ShowBytes(uint64_t n) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

// The volume holding the file has `percent` of its size free. `current`
// receives what was measured, as text (not a value of the file).
Result<std::string> CheckFreeSpace(const Assert& a, double percent, TargetSet& targets,
                                   Value& current) {
  const Resource& r = a.resource;
  TM_ASSIGN_OR_RETURN(targets::FileTarget * files, targets.Files(r.host));
  auto space = files->SpaceOf(r);
  if (!space.ok()) {
    if (space.status().code() == StatusCode::kNotFound) {
      current = Value::Absent();
      return std::string("expected the file to exist, to check the free space of its volume");
    }
    return space.status();
  }
  const double needed = static_cast<double>(space->file_size) * percent / 100.0;
  char pct[32];
  std::snprintf(pct, sizeof pct, "%g%%", percent);
  const std::string measured = "the volume holding it has " + ShowBytes(space->available) +
                               " free; " + pct + " of the file's " + ShowBytes(space->file_size) +
                               " is " + ShowBytes(static_cast<uint64_t>(needed));
  // Not the file's value (its content is not read): what was measured.
  current = Value::Text(measured);
  if (static_cast<double>(space->available) >= needed) return std::string();
  return measured + " (free some space before the upgrade)";
}

}  // namespace

Status Parse(const FieldParser& p, const YAML::Node& f, Assert& out) {
  TM_RETURN_IF_ERROR(p.ctx().OnlyKeys(f,
                                      {"host", "key", "name", "type", "database", "table",
                                       "column", "path", "service", "equals", "absent",
                                       "contains", "state", "free_space", "secret"},
                                      "assert"));
  TM_ASSIGN_OR_RETURN(out.expect_absent, p.ctx().Bool(f, "absent", false));
  TM_ASSIGN_OR_RETURN(out.contains, p.Text(f, "contains", false));
  TM_ASSIGN_OR_RETURN(out.resource, ParseAssertResource(p, f, out));
  TM_ASSIGN_OR_RETURN(out.free_percent, ParseFreeSpace(p, f));
  if (out.free_percent && out.resource.kind != ResourceKind::kFile) {
    return p.ctx().Error(f["free_space"], "free_space is checked for a file: give host and path");
  }
  if (!out.equals && !out.expect_absent && out.contains.empty() &&
      out.state == ServiceRun::kUnknown && !out.free_percent) {
    return p.ctx().Error(f, "assert needs one of equals, absent, contains, state or free_space");
  }
  return Status::Ok();
}

std::optional<Resource> ResourceOf(const Assert& a) { return a.resource; }

std::string Describe(const Assert&) { return "checks"; }

Result<std::string> Check(const Assert& a, bool secret, TargetSet& targets, Value& current) {
  const Resource& r = a.resource;
  // Not read whole: a database file may be hundreds of gigabytes.
  if (a.free_percent) return CheckFreeSpace(a, *a.free_percent, targets, current);
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
