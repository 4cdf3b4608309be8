// Resource: an addressable thing with one value (DESIGN.md §4). Identity is a
// canonical string used as the index key; display keeps the original spelling.
//
// Identity format (case-folded where Windows compares case-insensitively):
//   regval:<host>:<key path>:<value name>     host, path, name lower-cased; root
//                                             spelled out (HKLM → hkey_local_machine)
//   regkey:<host>:<key path>                  host, path lower-cased
//   cell:<database>:<table>:<k1>=<v1>,<k2>=<v2>:<column>   table and column names
//                                             lower-cased (SQL identifiers are
//                                             case-insensitive unquoted)
//   row:<database>:<table>:<k1>=<v1>,...
//   file:<host>:<windows path>                host, path lower-cased, '/' as '\'
//   service:<host>:<name>                     host, name lower-cased
// Separators inside fields are escaped with '%' (":" → %3A, "," → %2C,
// "=" → %3D, "%" → %25, NUL → %00) so identities never collide.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/value.h"

namespace tidemark {

enum class ResourceKind : uint8_t {
  kRegistryValue = 0,
  kRegistryKey,
  kSqlCell,
  kSqlRow,
  kFile,
  kService,
};

const char* ResourceKindName(ResourceKind k);

// One primary-key column and its value, for SQL cells and rows.
struct KeyPart {
  std::string column;
  Value value;
  friend bool operator==(const KeyPart&, const KeyPart&) = default;
};

struct Resource {
  ResourceKind kind = ResourceKind::kRegistryValue;
  std::string host;       // registry, file, service
  std::string database;   // sql: connection name from the environment
  std::string path;       // registry key path, sql table, file path (Windows form)
  std::string name;       // registry value name ("" = default), sql column, service name
  std::vector<KeyPart> key;  // sql primary key (cell, row)

  static Resource RegistryValue(std::string host, std::string key_path, std::string value_name);
  static Resource RegistryKey(std::string host, std::string key_path);
  static Resource SqlCell(std::string database, std::string table, std::vector<KeyPart> key,
                          std::string column);
  static Resource SqlRow(std::string database, std::string table, std::vector<KeyPart> key);
  static Resource File(std::string host, std::string windows_path);
  static Resource Service(std::string host, std::string name);

  // Canonical identity (see format above). Equal identities = same resource.
  std::string Identity() const;
  // Human form, original spelling: `SERVER1 HKLM\SOFTWARE\Outflow\DB_PreferedRegistry`,
  // `Registry.OutflowServices[ServerId=1].Url`, `SERVER1 C:\...\DailyMaint.cmd`.
  std::string Display() const;

  friend bool operator==(const Resource& a, const Resource& b) {
    return a.Identity() == b.Identity();
  }
};

// Display of a key value inside identities/display (integers bare, text as is).
std::string KeyValueText(const Value& v);

}  // namespace tidemark
