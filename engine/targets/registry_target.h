// RegistryTarget: the registry of one host, read and changed with
// compare-and-set. Here it is backed by a .reg hive file (reg_file.h); the
// Windows build backs the same interface with advapi32 (registry_win32.cc).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

// Thread-compatible: every call re-reads the hive file, so several instances
// (and other programs) may use one file; a Write replaces it atomically but
// does not lock it against a concurrent writer between its read and rename.
class RegistryTarget {
 public:
  // `hive_file` need not exist: a missing file is an empty registry.
  RegistryTarget(std::string host, std::filesystem::path hive_file);

  const std::string& host() const { return host_; }
  const std::filesystem::path& hive_file() const { return hive_file_; }

  // kRegistryValue → Value::Registry(...) or Value::Absent(); kRegistryKey →
  // Value::Key() or Absent (roots always exist; a key implied by a key below it
  // exists). Re-reads the hive file on every call. InvalidInput for a resource
  // of another kind/host or an unknown root; IoError/InvalidInput (file:line)
  // for a bad hive.
  Result<Value> Read(const Resource& r) const;

  // Compare-and-set: Conflict (message shows resource, expected, current)
  // unless the current value equals `expected`; then sets `after`: for a
  // value, Registry → set (key created with parents if missing), Absent →
  // delete the value (written as `"name"=-`). For a key, Key → create (with
  // parents), Absent → delete the key (written as `[-KEY]`): refused
  // (Conflict) when it has values or subkeys unless `recursive`. Writes the
  // file atomically; on any error the file is unchanged. When `after` equals
  // the current value nothing is written.
  Status Write(const Resource& r, const Value& expected, const Value& after,
               bool recursive = false);

  // Every key (RegistryKey resource, Value::Key()) and value (RegistryValue
  // resource) at or under `key_path`, in file order; a key implied by a key
  // below it is listed just before its first descendant. Spelling as in the
  // file. A missing key_path → empty list.
  Result<std::vector<std::pair<Resource, Value>>> Enumerate(const std::string& key_path) const;

 private:
  Status CheckResource(const Resource& r) const;

  std::string host_;
  std::filesystem::path hive_file_;
};

}  // namespace tidemark::targets
