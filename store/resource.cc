// Resource constructors, canonical identity and display form.
#include "store/resource.h"

#include "store/unicode.h"

namespace tidemark {
namespace {

std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      case '=': out += "%3D"; break;
      case '%': out += "%25"; break;
      case '\0': out += "%00"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string Folded(std::string_view s) { return Escape(AsciiLower(s)); }

// Registry key path in canonical form: root spelled out, lower-cased, no
// trailing backslash ("HKLM\Software\" → "hkey_local_machine\software").
std::string RegistryPathIdentity(std::string_view path) {
  std::string p = AsciiLower(path);
  while (!p.empty() && p.back() == '\\') p.pop_back();
  static const std::pair<const char*, const char*> kRoots[] = {
      {"hklm", "hkey_local_machine"}, {"hkcu", "hkey_current_user"},
      {"hkcr", "hkey_classes_root"},  {"hku", "hkey_users"},
      {"hkcc", "hkey_current_config"}};
  for (const auto& [abbrev, full] : kRoots) {
    const std::string_view a(abbrev);
    if (p.compare(0, a.size(), a) == 0 && (p.size() == a.size() || p[a.size()] == '\\')) {
      p = full + p.substr(a.size());
      break;
    }
  }
  return Escape(p);
}

std::string WindowsPath(std::string_view p) {
  std::string out(p);
  for (char& c : out) {
    if (c == '/') c = '\\';
  }
  return out;
}

std::string KeyText(const std::vector<KeyPart>& key, bool escape) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) out.push_back(',');
    out += escape ? Folded(key[i].column) : key[i].column;
    out.push_back('=');
    out += escape ? Escape(KeyValueText(key[i].value)) : KeyValueText(key[i].value);
  }
  return out;
}

}  // namespace

const char* ResourceKindName(ResourceKind k) {
  switch (k) {
    case ResourceKind::kRegistryValue: return "registry-value";
    case ResourceKind::kRegistryKey: return "registry-key";
    case ResourceKind::kSqlCell: return "sql-cell";
    case ResourceKind::kSqlRow: return "sql-row";
    case ResourceKind::kFile: return "file";
    case ResourceKind::kService: return "service";
  }
  return "unknown";
}

std::string KeyValueText(const Value& v) {
  switch (v.type) {
    case ValueType::kInteger: return std::to_string(v.integer);
    case ValueType::kText: return v.bytes;
    case ValueType::kNull: return "NULL";
    default: return v.ToDisplay();
  }
}

Resource Resource::RegistryValue(std::string host, std::string key_path, std::string value_name) {
  Resource r;
  r.kind = ResourceKind::kRegistryValue;
  r.host = std::move(host);
  r.path = std::move(key_path);
  r.name = std::move(value_name);
  return r;
}

Resource Resource::RegistryKey(std::string host, std::string key_path) {
  Resource r;
  r.kind = ResourceKind::kRegistryKey;
  r.host = std::move(host);
  r.path = std::move(key_path);
  return r;
}

Resource Resource::SqlCell(std::string database, std::string table, std::vector<KeyPart> key,
                           std::string column) {
  Resource r;
  r.kind = ResourceKind::kSqlCell;
  r.database = std::move(database);
  r.path = std::move(table);
  r.key = std::move(key);
  r.name = std::move(column);
  return r;
}

Resource Resource::SqlRow(std::string database, std::string table, std::vector<KeyPart> key) {
  Resource r;
  r.kind = ResourceKind::kSqlRow;
  r.database = std::move(database);
  r.path = std::move(table);
  r.key = std::move(key);
  return r;
}

Resource Resource::File(std::string host, std::string windows_path) {
  Resource r;
  r.kind = ResourceKind::kFile;
  r.host = std::move(host);
  r.path = WindowsPath(windows_path);
  return r;
}

Resource Resource::Service(std::string host, std::string name) {
  Resource r;
  r.kind = ResourceKind::kService;
  r.host = std::move(host);
  r.name = std::move(name);
  return r;
}

std::string Resource::Identity() const {
  switch (kind) {
    case ResourceKind::kRegistryValue:
      return "regval:" + Folded(host) + ":" + RegistryPathIdentity(path) + ":" + Folded(name);
    case ResourceKind::kRegistryKey:
      return "regkey:" + Folded(host) + ":" + RegistryPathIdentity(path);
    case ResourceKind::kSqlCell:
      return "cell:" + Escape(database) + ":" + Folded(path) + ":" + KeyText(key, true) + ":" +
             Folded(name);
    case ResourceKind::kSqlRow:
      return "row:" + Escape(database) + ":" + Folded(path) + ":" + KeyText(key, true);
    case ResourceKind::kFile:
      return "file:" + Folded(host) + ":" + Folded(WindowsPath(path));
    case ResourceKind::kService:
      return "service:" + Folded(host) + ":" + Folded(name);
  }
  return "unknown:";
}

std::string Resource::Display() const {
  switch (kind) {
    case ResourceKind::kRegistryValue:
      return host + " " + path + "\\" + (name.empty() ? "(Default)" : name);
    case ResourceKind::kRegistryKey: return host + " " + path + "\\";
    case ResourceKind::kSqlCell:
      return database + "." + path + "[" + KeyText(key, false) + "]." + name;
    case ResourceKind::kSqlRow: return database + "." + path + "[" + KeyText(key, false) + "]";
    case ResourceKind::kFile: return host + " " + path;
    case ResourceKind::kService: return host + " service " + name;
  }
  return "?";
}

}  // namespace tidemark
