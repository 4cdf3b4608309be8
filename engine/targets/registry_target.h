// RegistryTarget: the registry of one host, read and changed with
// compare-and-set. One interface, two backends: a .reg hive file
// (HiveRegistryTarget, here; reg_file.h) and the native registry through
// advapi32 (NativeRegistryTarget, registry_win32.cc, Windows builds only).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/resource.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

class RegistryTarget {
 public:
  virtual ~RegistryTarget() = default;

  const std::string& host() const { return host_; }

  // kRegistryValue → Value::Registry(...) or Value::Absent(); kRegistryKey →
  // Value::Key() or Absent (roots always exist). InvalidInput for a resource
  // of another kind/host or an unknown root; IoError for a registry that
  // cannot be read (file:line for a bad hive).
  virtual Result<Value> Read(const Resource& r) const = 0;

  // Compare-and-set: Conflict (message shows resource, expected, current)
  // unless the current value equals `expected`; then sets `after`: for a
  // value, Registry → set (key created with parents if missing), Absent →
  // delete the value. For a key, Key → create (with parents), Absent →
  // delete the key: refused (Conflict) when it has values or subkeys unless
  // `recursive`. On any error nothing is changed. When `after` equals the
  // current value nothing is written.
  virtual Status Write(const Resource& r, const Value& expected, const Value& after,
                       bool recursive = false) = 0;

  // Every key (RegistryKey resource, Value::Key()) and value (RegistryValue
  // resource) at or under `key_path`, parents before children. Spelling as
  // stored. A missing key_path → empty list.
  virtual Result<std::vector<std::pair<Resource, Value>>> Enumerate(
      const std::string& key_path) const = 0;

 protected:
  explicit RegistryTarget(std::string host) : host_(std::move(host)) {}
  // InvalidInput unless `r` is a registry key or value of this host.
  Status CheckResource(const Resource& r) const;
  // CheckResource, then InvalidInput unless `expected` and `after` are values
  // of r's kind (or absent), and for deleting a root key.
  Status CheckWrite(const Resource& r, const Value& expected, const Value& after) const;

 private:
  std::string host_;
};

// Thread-compatible: every call re-reads the hive file, so several instances
// (and other programs) may use one file; a Write replaces it atomically but
// does not lock it against a concurrent writer between its read and rename.
class HiveRegistryTarget final : public RegistryTarget {
 public:
  // `hive_file` need not exist: a missing file is an empty registry.
  HiveRegistryTarget(std::string host, std::filesystem::path hive_file);

  const std::filesystem::path& hive_file() const { return hive_file_; }

  // A key implied by a key below it exists. Re-reads the file on every call.
  Result<Value> Read(const Resource& r) const override;
  // Deletions are written as `"name"=-` / `[-KEY]`; the file is replaced
  // atomically (durable_file.h).
  Status Write(const Resource& r, const Value& expected, const Value& after,
               bool recursive = false) override;
  // In file order; a key implied by a key below it is listed just before its
  // first descendant.
  Result<std::vector<std::pair<Resource, Value>>> Enumerate(
      const std::string& key_path) const override;

 private:
  std::filesystem::path hive_file_;
};

#ifdef _WIN32
// The native registry of `machine` ("" or the host's own name = this
// computer, else RegConnectRegistryW: HKLM and HKU only, as Windows allows).
// Paths are literal: opened in the 64-bit view (KEY_WOW64_64KEY), so
// `HKLM\SOFTWARE\Wow6432Node\...` is never redirected. registry_win32.cc.
std::unique_ptr<RegistryTarget> MakeNativeRegistryTarget(std::string host, std::string machine);

// True for "", ".", "localhost" and this computer's name (any case): the
// native backends then use local calls and paths instead of a remote machine.
bool IsThisComputer(const std::string& name);
#endif

}  // namespace tidemark::targets
