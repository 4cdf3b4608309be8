// Plan field reading: parameter substitution, typed values, environment checks.
#include "engine/actions/field_parser.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "store/unicode.h"

namespace tidemark::engine {

Result<std::string> FieldParser::Expand(const YAML::Node& node, const std::string& s) const {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 2 < s.size() && s[i + 1] == '$' && s[i + 2] == '{') {
      out += "${";
      i += 2;
      continue;
    }
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      const size_t end = s.find('}', i + 2);
      if (end == std::string::npos) return ctx_.Error(node, "unterminated ${ in '" + s + "'");
      const std::string name = s.substr(i + 2, end - i - 2);
      auto it = params_.find(name);
      if (it == params_.end()) {
        return ctx_.Error(node, "unknown parameter ${" + name + "} (declare it under parameters)");
      }
      out += it->second;
      i = end;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

Result<std::string> FieldParser::Text(const YAML::Node& map, const std::string& key,
                                      bool required) const {
  TM_ASSIGN_OR_RETURN(std::string raw, ctx_.String(map, key, required));
  if (!map[key]) return raw;
  return Expand(map[key], raw);
}

Result<std::vector<std::string>> FieldParser::TextList(const YAML::Node& list,
                                                       const std::string& what) const {
  if (!list.IsSequence()) return ctx_.Error(list, "'" + what + "' must be a list");
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (!item.IsScalar()) return ctx_.Error(item, "'" + what + "' items must be text");
    TM_ASSIGN_OR_RETURN(std::string s, Expand(item, item.Scalar()));
    out.push_back(std::move(s));
  }
  return out;
}

Result<Value> FieldParser::SqlValue(const YAML::Node& n) const {
  if (n.IsNull()) return Value::Null();
  if (n.IsMap()) {
    TM_RETURN_IF_ERROR(ctx_.OnlyKeys(n, {"hex"}, "a binary value"));
    TM_ASSIGN_OR_RETURN(std::string hex, Text(n, "hex", true));
    TM_ASSIGN_OR_RETURN(std::string raw, HexBytes(n["hex"], hex));
    return Value::Binary(raw);
  }
  if (!n.IsScalar()) return ctx_.Error(n, "expected a SQL value (number, text, null or {hex: ...})");
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

Result<std::string> FieldParser::HexBytes(const YAML::Node& n, const std::string& hex) const {
  std::string clean;
  for (char c : hex) {
    if (c == ',' || c == ' ') continue;
    clean.push_back(c);
  }
  std::string raw;
  if (clean.size() % 2 != 0) return ctx_.Error(n, "hex data has an odd number of digits");
  for (size_t i = 0; i < clean.size(); i += 2) {
    char* end = nullptr;
    const std::string byte = clean.substr(i, 2);
    long v = std::strtol(byte.c_str(), &end, 16);
    if (!end || *end != '\0') return ctx_.Error(n, "'" + byte + "' is not a hex byte");
    raw.push_back(static_cast<char>(v));
  }
  return raw;
}

Result<uint64_t> FieldParser::Unsigned(const YAML::Node& n, const std::string& s,
                                       uint64_t max) const {
  char* end = nullptr;
  errno = 0;
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  unsigned long long v = std::strtoull(s.c_str(), &end, hex ? 16 : 10);
  if (s.empty() || s[0] == '-' || !end || *end != '\0' || errno != 0 || v > max) {
    return ctx_.Error(n, "expected an unsigned integer up to " + std::to_string(max) + ", got '" +
                             s + "'");
  }
  return v;
}

Result<Value> FieldParser::RegistryValue(const YAML::Node& action, const YAML::Node& v,
                                         const std::string& type_name) const {
  auto type = ParseRegType(type_name.empty() ? "REG_SZ" : type_name);
  if (!type) {
    return ctx_.Error(action["type"], "unknown registry type '" + type_name +
                                          "' (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, "
                                          "REG_QWORD, REG_BINARY, REG_NONE)");
  }
  if (!v) return ctx_.Error(action, "missing required field 'value'");
  if (*type == kRegMultiSz) {
    if (!v.IsSequence()) return ctx_.Error(v, "a REG_MULTI_SZ value must be a list of strings");
    std::vector<std::string> items;
    for (const auto& item : v) {
      if (!item.IsScalar()) return ctx_.Error(item, "REG_MULTI_SZ items must be text");
      TM_ASSIGN_OR_RETURN(std::string s, Expand(item, item.Scalar()));
      items.push_back(s);
    }
    return Value::RegMulti(items);
  }
  if (!v.IsScalar()) return ctx_.Error(v, "a registry value must be a single value");
  TM_ASSIGN_OR_RETURN(std::string s, Expand(v, v.Scalar()));
  switch (*type) {
    case kRegSz:
    case kRegExpandSz:
      if (!IsValidUtf8(s)) return ctx_.Error(v, "registry text is not valid UTF-8");
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

Result<std::vector<KeyPart>> FieldParser::KeyMap(const YAML::Node& map, const std::string& field,
                                                 bool required) const {
  const YAML::Node n = map[field];
  if (!n) {
    if (required) return ctx_.Error(map, "missing required field '" + field + "'");
    return std::vector<KeyPart>{};
  }
  if (!n.IsMap() || n.size() == 0) {
    return ctx_.Error(n, "'" + field + "' must be a mapping of column: value");
  }
  std::vector<KeyPart> out;
  for (const auto& kv : n) {
    TM_ASSIGN_OR_RETURN(Value v, SqlValue(kv.second));
    out.push_back(KeyPart{kv.first.Scalar(), std::move(v)});
  }
  return out;
}

Status FieldParser::NeedHost(const YAML::Node& n, const std::string& host,
                             Facility facility) const {
  if (env_.path.empty()) return Status::Ok();
  const HostConfig* h = env_.FindHost(host);
  if (!h) return ctx_.Error(n, "host '" + host + "' is not in the environment " + env_.path.string());
  switch (facility) {
    case Facility::kRegistry:
      if (!targets::HasBackend(h->registry)) {
        return ctx_.Error(n, "host '" + host + "' has no registry in the environment");
      }
      break;
    case Facility::kFiles:
      if (!targets::HasBackend(h->files)) {
        return ctx_.Error(n, "host '" + host + "' has no files root in the environment");
      }
      break;
    case Facility::kServices:
      if (!targets::HasBackend(h->services)) {
        return ctx_.Error(n, "host '" + host + "' has no services in the environment");
      }
      break;
  }
  return Status::Ok();
}

Status FieldParser::NeedDatabase(const YAML::Node& n, const std::string& db) const {
  if (env_.path.empty()) return Status::Ok();
  if (!env_.FindDatabase(db)) {
    return ctx_.Error(n, "database '" + db + "' is not in the environment " + env_.path.string());
  }
  return Status::Ok();
}

Status FieldParser::CheckRegistryKey(const YAML::Node& n, const std::string& key) const {
  const std::string lower = AsciiLower(key);
  for (const char* root : {"hklm", "hkcu", "hkcr", "hku", "hkcc", "hkey_local_machine",
                           "hkey_current_user", "hkey_classes_root", "hkey_users",
                           "hkey_current_config"}) {
    const std::string r(root);
    if (lower == r || lower.rfind(r + "\\", 0) == 0) return Status::Ok();
  }
  return ctx_.Error(n, "registry key '" + key +
                           "' does not start with a known root (HKLM, HKCU, HKCR, HKU, HKCC)");
}

Status FieldParser::CheckWindowsPath(const YAML::Node& n, const std::string& p) const {
  if (p.size() < 3 || !std::isalpha(static_cast<unsigned char>(p[0])) || p[1] != ':' ||
      (p[2] != '\\' && p[2] != '/')) {
    return ctx_.Error(n, "file path '" + p + "' must be an absolute Windows path like C:\\...");
  }
  std::string seg;
  for (size_t i = 2; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '\\' || p[i] == '/') {
      if (seg == "..") return ctx_.Error(n, "file path '" + p + "' contains '..'");
      seg.clear();
    } else {
      seg.push_back(p[i]);
    }
  }
  return Status::Ok();
}

std::optional<uint32_t> ParseRegType(const std::string& name) {
  static const std::map<std::string, uint32_t> kTypes = {
      {"REG_SZ", kRegSz},         {"REG_EXPAND_SZ", kRegExpandSz}, {"REG_MULTI_SZ", kRegMultiSz},
      {"REG_DWORD", kRegDword},   {"REG_QWORD", kRegQword},        {"REG_BINARY", kRegBinary},
      {"REG_NONE", kRegNone}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return std::nullopt;
  return it->second;
}

}  // namespace tidemark::engine
