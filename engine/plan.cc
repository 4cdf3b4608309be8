// Plan parsing: YAML → Plan, parameter binding and validation.
#include "engine/plan.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "engine/yaml_util.h"
#include "store/unicode.h"

namespace tidemark::engine {
namespace {

const std::map<std::string, std::set<std::string>>& ActionFields() {
  static const std::map<std::string, std::set<std::string>> kFields = {
      {"registry.set", {"host", "key", "name", "value", "type", "secret"}},
      {"registry.delete", {"host", "key", "name", "secret"}},
      {"registry.create_key", {"host", "key"}},
      {"registry.delete_key", {"host", "key", "recursive"}},
      {"sql.update", {"database", "table", "key", "set", "secret"}},
      {"sql.replace", {"database", "table", "column", "from", "to", "where", "secret"}},
      {"sql.insert", {"database", "table", "row", "secret"}},
      {"sql.delete", {"database", "table", "key", "secret"}},
      {"file.replace", {"host", "path", "from", "to", "secret"}},
      {"file.write", {"host", "path", "content", "secret"}},
      {"service.stop", {"host", "name"}},
      {"service.start", {"host", "name"}},
      {"service.pause", {"host", "name"}},
      {"service.set_start_type", {"host", "name", "start"}},
      {"checkpoint", {"name", "databases"}},
      {"exec", {"command", "shell", "timeout"}},
      {"manual", {"prompt"}},
      {"assert", {"host", "key", "name", "type", "database", "table", "column", "path",
                  "service", "equals", "absent", "contains", "state", "secret"}},
  };
  return kFields;
}

struct Parser {
  YamlContext ctx;
  const Environment& env;
  std::map<std::string, std::string> params;

  // ${name} substitution; `$${` stays a literal `${`.
  Result<std::string> Expand(const YAML::Node& node, const std::string& s) const {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '$' && i + 2 < s.size() && s[i + 1] == '$' && s[i + 2] == '{') {
        out += "${";
        i += 2;
        continue;
      }
      if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
        const size_t end = s.find('}', i + 2);
        if (end == std::string::npos) return ctx.Error(node, "unterminated ${ in '" + s + "'");
        const std::string name = s.substr(i + 2, end - i - 2);
        auto it = params.find(name);
        if (it == params.end()) {
          return ctx.Error(node, "unknown parameter ${" + name + "} (declare it under parameters)");
        }
        out += it->second;
        i = end;
        continue;
      }
      out.push_back(s[i]);
    }
    return out;
  }

  Result<std::string> Text(const YAML::Node& map, const std::string& key, bool required) const {
    TM_ASSIGN_OR_RETURN(std::string raw, ctx.String(map, key, required));
    if (!map[key]) return raw;
    return Expand(map[key], raw);
  }

  // A SQL value: plain integers/floats/null typed, quoted text, {hex: ...} binary.
  Result<Value> SqlValue(const YAML::Node& n) const {
    if (n.IsNull()) return Value::Null();
    if (n.IsMap()) {
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(n, {"hex"}, "a binary value"));
      TM_ASSIGN_OR_RETURN(std::string hex, Text(n, "hex", true));
      return HexBytes(n["hex"], hex).status().ok() ? Value::Binary(HexBytes(n["hex"], hex).value())
                                                   : Result<Value>(HexBytes(n["hex"], hex).status());
    }
    if (!n.IsScalar()) return ctx.Error(n, "expected a SQL value (number, text, null or {hex: ...})");
    TM_ASSIGN_OR_RETURN(std::string s, Expand(n, n.Scalar()));
    if (n.Tag() == "?") {  // plain scalar: may be a number
      char* end = nullptr;
      errno = 0;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && end && *end == '\0' && errno == 0) return Value::Integer(i);
      double d = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0') return Value::Real(d);
    }
    return Value::Text(s);
  }

  Result<std::string> HexBytes(const YAML::Node& n, const std::string& hex) const {
    std::string clean;
    for (char c : hex) {
      if (c == ',' || c == ' ') continue;
      clean.push_back(c);
    }
    std::string raw;
    if (clean.size() % 2 != 0) return ctx.Error(n, "hex data has an odd number of digits");
    for (size_t i = 0; i < clean.size(); i += 2) {
      char* end = nullptr;
      const std::string byte = clean.substr(i, 2);
      long v = std::strtol(byte.c_str(), &end, 16);
      if (!end || *end != '\0') return ctx.Error(n, "'" + byte + "' is not a hex byte");
      raw.push_back(static_cast<char>(v));
    }
    return raw;
  }

  Result<uint64_t> Unsigned(const YAML::Node& n, const std::string& s, uint64_t max) const {
    char* end = nullptr;
    errno = 0;
    const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    unsigned long long v = std::strtoull(s.c_str(), &end, hex ? 16 : 10);
    if (s.empty() || s[0] == '-' || !end || *end != '\0' || errno != 0 || v > max) {
      return ctx.Error(n, "expected an unsigned integer up to " + std::to_string(max) + ", got '" +
                              s + "'");
    }
    return v;
  }

  Result<Value> RegistryValue(const YAML::Node& action, const YAML::Node& v,
                              const std::string& type_name) const {
    auto type = ParseRegType(type_name.empty() ? "REG_SZ" : type_name);
    if (!type) {
      return ctx.Error(action["type"], "unknown registry type '" + type_name +
                                           "' (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, "
                                           "REG_QWORD, REG_BINARY, REG_NONE)");
    }
    if (!v) return ctx.Error(action, "missing required field 'value'");
    if (*type == kRegMultiSz) {
      if (!v.IsSequence()) return ctx.Error(v, "a REG_MULTI_SZ value must be a list of strings");
      std::vector<std::string> items;
      for (const auto& item : v) {
        if (!item.IsScalar()) return ctx.Error(item, "REG_MULTI_SZ items must be text");
        TM_ASSIGN_OR_RETURN(std::string s, Expand(item, item.Scalar()));
        items.push_back(s);
      }
      return Value::RegMulti(items);
    }
    if (!v.IsScalar()) return ctx.Error(v, "a registry value must be a single value");
    TM_ASSIGN_OR_RETURN(std::string s, Expand(v, v.Scalar()));
    switch (*type) {
      case kRegSz:
      case kRegExpandSz:
        if (!IsValidUtf8(s)) return ctx.Error(v, "registry text is not valid UTF-8");
        return Value::RegString(s, *type);
      case kRegDword: {
        TM_ASSIGN_OR_RETURN(uint64_t d, Unsigned(v, s, 0xFFFFFFFFull));
        return Value::RegDword(static_cast<uint32_t>(d));
      }
      case kRegQword: {
        TM_ASSIGN_OR_RETURN(uint64_t q, Unsigned(v, s, UINT64_MAX));
        return Value::RegQword(q);
      }
      default: {
        TM_ASSIGN_OR_RETURN(std::string raw, HexBytes(v, s));
        return Value::Registry(*type, raw);
      }
    }
  }

  Result<std::vector<KeyPart>> KeyMap(const YAML::Node& map, const std::string& field,
                                      bool required) const {
    const YAML::Node n = map[field];
    if (!n) {
      if (required) return ctx.Error(map, "missing required field '" + field + "'");
      return std::vector<KeyPart>{};
    }
    if (!n.IsMap() || n.size() == 0) {
      return ctx.Error(n, "'" + field + "' must be a mapping of column: value");
    }
    std::vector<KeyPart> out;
    for (const auto& kv : n) {
      TM_ASSIGN_OR_RETURN(Value v, SqlValue(kv.second));
      out.push_back(KeyPart{kv.first.Scalar(), std::move(v)});
    }
    return out;
  }

  // Without an environment (plan check with no --env) only the plan itself is checked.
  bool SyntaxOnly() const { return env.path.empty(); }

  Status NeedHost(const YAML::Node& n, const std::string& host, const std::string& facility) const {
    if (SyntaxOnly()) return Status::Ok();
    const HostConfig* h = env.FindHost(host);
    if (!h) return ctx.Error(n, "host '" + host + "' is not in the environment " + env.path.string());
    if (facility == "registry" && !targets::HasBackend(h->registry)) {
      return ctx.Error(n, "host '" + host + "' has no registry in the environment");
    }
    if (facility == "files" && !targets::HasBackend(h->files)) {
      return ctx.Error(n, "host '" + host + "' has no files root in the environment");
    }
    if (facility == "services" && !targets::HasBackend(h->services)) {
      return ctx.Error(n, "host '" + host + "' has no services in the environment");
    }
    return Status::Ok();
  }

  Status NeedDatabase(const YAML::Node& n, const std::string& db) const {
    if (SyntaxOnly()) return Status::Ok();
    if (!env.FindDatabase(db)) {
      return ctx.Error(n, "database '" + db + "' is not in the environment " + env.path.string());
    }
    return Status::Ok();
  }

  Status CheckRegistryKey(const YAML::Node& n, const std::string& key) const {
    const std::string lower = AsciiLower(key);
    for (const char* root : {"hklm", "hkcu", "hkcr", "hku", "hkcc", "hkey_local_machine",
                             "hkey_current_user", "hkey_classes_root", "hkey_users",
                             "hkey_current_config"}) {
      const std::string r(root);
      if (lower == r || lower.rfind(r + "\\", 0) == 0) return Status::Ok();
    }
    return ctx.Error(n, "registry key '" + key +
                            "' does not start with a known root (HKLM, HKCU, HKCR, HKU, HKCC)");
  }

  Status CheckWindowsPath(const YAML::Node& n, const std::string& p) const {
    if (p.size() < 3 || !std::isalpha(static_cast<unsigned char>(p[0])) || p[1] != ':' ||
        (p[2] != '\\' && p[2] != '/')) {
      return ctx.Error(n, "file path '" + p + "' must be an absolute Windows path like C:\\...");
    }
    std::string seg;
    for (size_t i = 2; i <= p.size(); ++i) {
      if (i == p.size() || p[i] == '\\' || p[i] == '/') {
        if (seg == "..") return ctx.Error(n, "file path '" + p + "' contains '..'");
        seg.clear();
      } else {
        seg.push_back(p[i]);
      }
    }
    return Status::Ok();
  }

  Result<Action> ParseAction(const YAML::Node& node) const {
    if (!node.IsMap() || node.size() != 1) {
      return ctx.Error(node, "an action is a one-key mapping like `registry.set: {...}`");
    }
    const auto kv = *node.begin();
    Action a;
    a.kind = kv.first.Scalar();
    a.where = ctx.Where(kv.first);
    const YAML::Node f = kv.second;
    auto fields = ActionFields().find(a.kind);
    if (fields == ActionFields().end()) {
      std::string list;
      for (const auto& [k, unused] : ActionFields()) list += (list.empty() ? "" : ", ") + k;
      return ctx.Error(kv.first, "unknown action '" + a.kind + "' (known: " + list + ")");
    }
    TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, fields->second, a.kind));
    TM_ASSIGN_OR_RETURN(a.secret, ctx.Bool(f, "secret", false));
    const std::string& k = a.kind;
    if (k.rfind("registry.", 0) == 0) {
      TM_ASSIGN_OR_RETURN(a.host, Text(f, "host", true));
      TM_ASSIGN_OR_RETURN(a.key, Text(f, "key", true));
      TM_RETURN_IF_ERROR(CheckRegistryKey(f["key"], a.key));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "registry"));
      if (k == "registry.set" || k == "registry.delete") {
        if (!f["name"]) return ctx.Error(f, "missing required field 'name' (\"\" = default value)");
        TM_ASSIGN_OR_RETURN(a.name, Text(f, "name", true));
      }
      if (k == "registry.set") {
        TM_ASSIGN_OR_RETURN(std::string type, Text(f, "type", false));
        TM_ASSIGN_OR_RETURN(a.value, RegistryValue(f, f["value"], type));
      }
      if (k == "registry.delete_key") {
        TM_ASSIGN_OR_RETURN(a.recursive, ctx.Bool(f, "recursive", false));
      }
    } else if (k.rfind("sql.", 0) == 0) {
      TM_ASSIGN_OR_RETURN(a.database, Text(f, "database", true));
      TM_ASSIGN_OR_RETURN(a.table, Text(f, "table", true));
      TM_RETURN_IF_ERROR(NeedDatabase(f["database"], a.database));
      if (k == "sql.update" || k == "sql.delete") {
        TM_ASSIGN_OR_RETURN(a.sql_key, KeyMap(f, "key", true));
      }
      if (k == "sql.update" || k == "sql.insert") {
        TM_ASSIGN_OR_RETURN(auto parts, KeyMap(f, k == "sql.update" ? "set" : "row", true));
        for (auto& p : parts) a.fields.push_back(RowField{p.column, std::move(p.value)});
      }
      if (k == "sql.replace") {
        TM_ASSIGN_OR_RETURN(a.column, Text(f, "column", true));
        if (!f["from"] || !f["to"]) return ctx.Error(f, "sql.replace needs 'from' and 'to'");
        TM_ASSIGN_OR_RETURN(a.value, SqlValue(f["from"]));
        TM_ASSIGN_OR_RETURN(a.to, SqlValue(f["to"]));
        TM_ASSIGN_OR_RETURN(a.where_parts, KeyMap(f, "where", false));
      }
    } else if (k.rfind("file.", 0) == 0) {
      TM_ASSIGN_OR_RETURN(a.host, Text(f, "host", true));
      TM_ASSIGN_OR_RETURN(a.path, Text(f, "path", true));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "files"));
      TM_RETURN_IF_ERROR(CheckWindowsPath(f["path"], a.path));
      if (k == "file.replace") {
        TM_ASSIGN_OR_RETURN(a.text_from, Text(f, "from", true));
        TM_ASSIGN_OR_RETURN(a.text_to, Text(f, "to", true));
        if (a.text_from.empty()) return ctx.Error(f["from"], "'from' must not be empty");
      } else {
        TM_ASSIGN_OR_RETURN(a.content, Text(f, "content", true));
      }
    } else if (k.rfind("service.", 0) == 0) {
      TM_ASSIGN_OR_RETURN(a.host, Text(f, "host", true));
      TM_ASSIGN_OR_RETURN(a.name, Text(f, "name", true));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "services"));
      if (k == "service.stop") a.run = ServiceRun::kStopped;
      if (k == "service.start") a.run = ServiceRun::kRunning;
      if (k == "service.pause") a.run = ServiceRun::kPaused;
      if (k == "service.set_start_type") {
        TM_ASSIGN_OR_RETURN(std::string s, Text(f, "start", true));
        auto st = ParseStartType(s);
        if (!st) return ctx.Error(f["start"], "start must be auto, manual or disabled, not '" + s + "'");
        a.start = *st;
      }
    } else if (k == "checkpoint") {
      TM_ASSIGN_OR_RETURN(a.name, Text(f, "name", true));
      if (const YAML::Node dbs = f["databases"]) {
        if (!dbs.IsSequence()) return ctx.Error(dbs, "'databases' must be a list");
        for (const auto& d : dbs) {
          TM_ASSIGN_OR_RETURN(std::string db, Expand(d, d.Scalar()));
          TM_RETURN_IF_ERROR(NeedDatabase(d, db));
          a.databases.push_back(db);
        }
      }
    } else if (k == "exec") {
      TM_ASSIGN_OR_RETURN(a.shell, ctx.Bool(f, "shell", false));
      const YAML::Node cmd = f["command"];
      if (!cmd) return ctx.Error(f, "missing required field 'command'");
      if (a.shell) {
        if (!cmd.IsScalar()) return ctx.Error(cmd, "with shell: true, 'command' is one string");
        TM_ASSIGN_OR_RETURN(std::string c, Expand(cmd, cmd.Scalar()));
        a.command = {c};
      } else {
        if (!cmd.IsSequence() || cmd.size() == 0) {
          return ctx.Error(cmd, "'command' must be a non-empty argument list (or use shell: true)");
        }
        for (const auto& arg : cmd) {
          if (!arg.IsScalar()) return ctx.Error(arg, "command arguments must be text");
          TM_ASSIGN_OR_RETURN(std::string s, Expand(arg, arg.Scalar()));
          a.command.push_back(s);
        }
      }
      if (const YAML::Node t = f["timeout"]) {
        TM_ASSIGN_OR_RETURN(uint64_t secs, Unsigned(t, t.Scalar(), 86400));
        a.timeout_seconds = static_cast<int>(secs);
      }
    } else if (k == "manual") {
      TM_ASSIGN_OR_RETURN(a.prompt, Text(f, "prompt", true));
    } else if (k == "assert") {
      TM_RETURN_IF_ERROR(ParseAssert(f, a));
    }
    return a;
  }

  Status ParseAssert(const YAML::Node& f, Action& a) const {
    TM_ASSIGN_OR_RETURN(a.host, Text(f, "host", false));
    TM_ASSIGN_OR_RETURN(a.database, Text(f, "database", false));
    if (a.database.empty()) {  // a SQL assert's `key` is a column map, not a registry key
      TM_ASSIGN_OR_RETURN(a.key, Text(f, "key", false));
    }
    TM_ASSIGN_OR_RETURN(a.table, Text(f, "table", false));
    TM_ASSIGN_OR_RETURN(a.column, Text(f, "column", false));
    TM_ASSIGN_OR_RETURN(a.path, Text(f, "path", false));
    TM_ASSIGN_OR_RETURN(std::string service, Text(f, "service", false));
    TM_ASSIGN_OR_RETURN(a.expect_absent, ctx.Bool(f, "absent", false));
    TM_ASSIGN_OR_RETURN(a.contains, Text(f, "contains", false));
    if (!a.key.empty()) {
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "registry"));
      TM_RETURN_IF_ERROR(CheckRegistryKey(f["key"], a.key));
      TM_ASSIGN_OR_RETURN(a.name, Text(f, "name", true));
      if (f["equals"]) {
        TM_ASSIGN_OR_RETURN(std::string type, Text(f, "type", false));
        TM_ASSIGN_OR_RETURN(Value v, RegistryValue(f, f["equals"], type));
        a.equals = v;
      }
    } else if (!a.database.empty()) {
      TM_RETURN_IF_ERROR(NeedDatabase(f["database"], a.database));
      if (a.table.empty() || a.column.empty()) {
        return ctx.Error(f, "a SQL assert needs table, key and column");
      }
      TM_ASSIGN_OR_RETURN(a.sql_key, KeyMap(f, "key", true));
      if (f["equals"]) {
        TM_ASSIGN_OR_RETURN(Value v, SqlValue(f["equals"]));
        a.equals = v;
      }
    } else if (!a.path.empty()) {
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "files"));
      TM_RETURN_IF_ERROR(CheckWindowsPath(f["path"], a.path));
    } else if (!service.empty()) {
      TM_RETURN_IF_ERROR(NeedHost(f["host"], a.host, "services"));
      a.name = service;
      TM_ASSIGN_OR_RETURN(std::string state, Text(f, "state", true));
      auto run = ParseServiceRun(state);
      if (!run) return ctx.Error(f["state"], "state must be running, stopped or paused");
      a.run = *run;
    } else {
      return ctx.Error(f, "assert needs a resource: host+key+name, database+table+key+column, "
                          "host+path, or host+service");
    }
    if (!a.equals && !a.expect_absent && a.contains.empty() && a.run == ServiceRun::kUnknown) {
      return ctx.Error(f, "assert needs one of equals, absent, contains or state");
    }
    return Status::Ok();
  }

  Result<WatchItem> ParseWatch(const YAML::Node& node) const {
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
      TM_ASSIGN_OR_RETURN(w.host, Text(f, "host", true));
      TM_ASSIGN_OR_RETURN(w.path, Text(f, "key", true));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], w.host, "registry"));
      TM_RETURN_IF_ERROR(CheckRegistryKey(f["key"], w.path));
    } else if (kind == "table") {
      w.kind = WatchKind::kTable;
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"database", "table"}, "watch table"));
      TM_ASSIGN_OR_RETURN(w.database, Text(f, "database", true));
      TM_ASSIGN_OR_RETURN(w.path, Text(f, "table", true));
      TM_RETURN_IF_ERROR(NeedDatabase(f["database"], w.database));
    } else if (kind == "folder") {
      w.kind = WatchKind::kFolder;
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"host", "path"}, "watch folder"));
      TM_ASSIGN_OR_RETURN(w.host, Text(f, "host", true));
      TM_ASSIGN_OR_RETURN(w.path, Text(f, "path", true));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], w.host, "files"));
      TM_RETURN_IF_ERROR(CheckWindowsPath(f["path"], w.path));
    } else if (kind == "services") {
      w.kind = WatchKind::kServices;
      TM_RETURN_IF_ERROR(ctx.OnlyKeys(f, {"host", "names"}, "watch services"));
      TM_ASSIGN_OR_RETURN(w.host, Text(f, "host", true));
      TM_RETURN_IF_ERROR(NeedHost(f["host"], w.host, "services"));
      if (const YAML::Node names = f["names"]) {
        if (!names.IsSequence()) return ctx.Error(names, "'names' must be a list");
        for (const auto& n : names) {
          TM_ASSIGN_OR_RETURN(std::string s, Expand(n, n.Scalar()));
          w.names.push_back(s);
        }
      }
    } else {
      return ctx.Error(kv.first, "unknown watch kind '" + kind +
                                     "' (registry, table, folder, services)");
    }
    return w;
  }
};

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
      if (s.compare(i, 3, "$${") == 0) {  // a literal "${", as in Parser::Expand
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
  Parser p{YamlContext(path.string()), env, {}};
  const YamlContext& ctx = p.ctx;
  TM_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, path.string()));
  if (!root.IsMap()) return ctx.Error(root, "a plan file must be a mapping");
  TM_RETURN_IF_ERROR(
      ctx.OnlyKeys(root, {"name", "description", "parameters", "watch", "steps"}, "the plan"));
  Plan plan;
  plan.path = path;
  plan.text = text;
  TM_ASSIGN_OR_RETURN(plan.name, ctx.String(root, "name", true));
  TM_ASSIGN_OR_RETURN(plan.description, ctx.String(root, "description", false));
  TM_RETURN_IF_ERROR(BindParameters(ctx, root["parameters"], env, overrides, plan, p.params));
  if (const YAML::Node watch = root["watch"]) {
    if (!watch.IsSequence()) return ctx.Error(watch, "'watch' must be a list");
    for (const auto& w : watch) {
      TM_ASSIGN_OR_RETURN(WatchItem item, p.ParseWatch(w));
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
      TM_ASSIGN_OR_RETURN(Action action, p.ParseAction(a));
      step.actions.push_back(std::move(action));
    }
    plan.steps.push_back(std::move(step));
  }
  return plan;
}

}  // namespace

std::optional<uint32_t> ParseRegType(const std::string& name) {
  static const std::map<std::string, uint32_t> kTypes = {
      {"REG_SZ", kRegSz},         {"REG_EXPAND_SZ", kRegExpandSz}, {"REG_MULTI_SZ", kRegMultiSz},
      {"REG_DWORD", kRegDword},   {"REG_QWORD", kRegQword},        {"REG_BINARY", kRegBinary},
      {"REG_NONE", kRegNone}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

std::optional<Resource> Action::TargetResource() const {
  if (!key.empty() && (kind == "registry.set" || kind == "registry.delete" || kind == "assert")) {
    return Resource::RegistryValue(host, key, name);
  }
  if (!key.empty()) return Resource::RegistryKey(host, key);
  if (!database.empty() && !column.empty() && !sql_key.empty()) {
    return Resource::SqlCell(database, table, sql_key, column);
  }
  if (!path.empty()) return Resource::File(host, path);
  if (kind.rfind("service.", 0) == 0 || (kind == "assert" && !name.empty() && !host.empty())) {
    return Resource::Service(host, name);
  }
  return std::nullopt;
}

std::string Step::ActionKinds() const {
  std::string out;
  for (const auto& a : actions) {
    if (out.find(a.kind) != std::string::npos) continue;
    out += (out.empty() ? "" : ", ") + a.kind;
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
