// NativeRegistryTarget: the registry_target.h interface backed by the native
// registry through advapi32 (Reg*W functions, 64-bit view). Windows builds
// only; a machine other than this one is reached with RegConnectRegistryW
// (HKLM and HKU only, as Windows allows).
#ifdef _WIN32

#include <windows.h>

#include <string>
#include <vector>

#include "engine/targets/reg_file.h"
#include "engine/targets/registry_target.h"
#include "store/unicode.h"
#include "store/win32_text.h"

namespace tidemark::targets {
namespace {

// Paths in resources name Wow6432Node explicitly: never let WOW64 redirect.
constexpr REGSAM kView = KEY_WOW64_64KEY;

Status Win32Error(const std::string& what, LONG rc) {
  const std::string message = what + ": " + Win32ErrorText(static_cast<uint32_t>(rc));
  if (rc == ERROR_ACCESS_DENIED) return Status::Failed(message);
  return Status::IoError(message);
}

// Closes an HKEY it owns (predefined roots are never closed).
class KeyHandle {
 public:
  KeyHandle() = default;
  explicit KeyHandle(HKEY h, bool owned = true) : h_(h), owned_(owned) {}
  KeyHandle(KeyHandle&& o) noexcept : h_(o.h_), owned_(o.owned_) { o.h_ = nullptr; }
  KeyHandle& operator=(KeyHandle&& o) noexcept {
    Reset();
    h_ = o.h_;
    owned_ = o.owned_;
    o.h_ = nullptr;
    return *this;
  }
  KeyHandle(const KeyHandle&) = delete;
  KeyHandle& operator=(const KeyHandle&) = delete;
  ~KeyHandle() { Reset(); }
  HKEY get() const { return h_; }

 private:
  void Reset() {
    if (h_ && owned_) RegCloseKey(h_);
    h_ = nullptr;
  }
  HKEY h_ = nullptr;
  bool owned_ = true;
};

struct SplitKey {
  HKEY root;
  std::string root_name;  // HKEY_LOCAL_MACHINE...
  std::wstring sub;       // below the root, may be empty
};

Result<SplitKey> Split(const std::string& path) {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(path));
  const size_t sep = canonical.find('\\');
  SplitKey out;
  out.root_name = canonical.substr(0, sep);
  out.sub = sep == std::string::npos ? std::wstring() : Utf8ToWide(canonical.substr(sep + 1));
  if (out.root_name == "HKEY_LOCAL_MACHINE") out.root = HKEY_LOCAL_MACHINE;
  else if (out.root_name == "HKEY_CURRENT_USER") out.root = HKEY_CURRENT_USER;
  else if (out.root_name == "HKEY_CLASSES_ROOT") out.root = HKEY_CLASSES_ROOT;
  else if (out.root_name == "HKEY_USERS") out.root = HKEY_USERS;
  else out.root = HKEY_CURRENT_CONFIG;
  return out;
}


// The root key on `host`: the predefined handle locally, a remote connection
// otherwise (HKLM and HKU only: RegConnectRegistryW offers no other root).
Result<KeyHandle> OpenRoot(const std::string& host, const SplitKey& key) {
  if (IsThisComputer(host)) return KeyHandle(key.root, /*owned=*/false);
  if (key.root != HKEY_LOCAL_MACHINE && key.root != HKEY_USERS) {
    return Status::InvalidInput(key.root_name + " of " + host +
                                ": only HKEY_LOCAL_MACHINE and HKEY_USERS can be reached on "
                                "another computer");
  }
  HKEY remote = nullptr;
  const LONG rc = RegConnectRegistryW(Utf8ToWide("\\\\" + host).c_str(), key.root, &remote);
  if (rc != ERROR_SUCCESS) {
    return Win32Error("cannot connect to the registry of " + host +
                          " (is its Remote Registry service running and the firewall open?)",
                      rc);
  }
  return KeyHandle(remote);
}

// Opens `sub` below an open root; an absent key is an empty KeyHandle, not an error.
Result<KeyHandle> OpenBelow(HKEY root, const std::wstring& sub, REGSAM access,
                            const std::string& path) {
  HKEY h = nullptr;
  const LONG rc = RegOpenKeyExW(root, sub.c_str(), 0, access | kView, &h);
  if (rc == ERROR_FILE_NOT_FOUND) return KeyHandle();
  if (rc != ERROR_SUCCESS) return Win32Error("cannot open " + path, rc);
  return KeyHandle(h);
}

// Opens an existing key; an absent key is an empty KeyHandle, not an error.
Result<KeyHandle> OpenKey(const std::string& host, const std::string& path, REGSAM access) {
  TM_ASSIGN_OR_RETURN(SplitKey split, Split(path));
  TM_ASSIGN_OR_RETURN(KeyHandle root, OpenRoot(host, split));
  return OpenBelow(root.get(), split.sub, access, path);
}

// Reads one value of an open key; Absent when it does not exist.
Result<Value> QueryValue(HKEY key, const std::wstring& name, const std::string& what) {
  std::vector<BYTE> data(256);
  while (true) {
    DWORD type = 0;
    DWORD size = static_cast<DWORD>(data.size());
    const LONG rc = RegQueryValueExW(key, name.c_str(), nullptr, &type, data.data(), &size);
    if (rc == ERROR_FILE_NOT_FOUND) return Value::Absent();
    if (rc == ERROR_MORE_DATA) {
      data.resize(size);
      continue;
    }
    if (rc != ERROR_SUCCESS) return Win32Error("cannot read " + what, rc);
    return Value::Registry(type, std::string(reinterpret_cast<const char*>(data.data()), size));
  }
}

Result<Value> ReadCurrent(const std::string& host, const Resource& r) {
  TM_ASSIGN_OR_RETURN(KeyHandle key, OpenKey(host, r.path, KEY_QUERY_VALUE));
  if (r.kind == ResourceKind::kRegistryKey) {
    return key.get() ? Value::Key() : Value::Absent();
  }
  if (!key.get()) return Value::Absent();
  return QueryValue(key.get(), Utf8ToWide(r.name), r.Display());
}

// Appends the key at `path` (open as `key`), its values, then its subkeys, depth first.
Status Walk(const std::string& host, HKEY key, const std::string& path,
            std::vector<std::pair<Resource, Value>>& out) {
  out.emplace_back(Resource::RegistryKey(host, path), Value::Key());
  DWORD subkeys = 0, max_subkey = 0, values = 0, max_name = 0;
  LONG rc = RegQueryInfoKeyW(key, nullptr, nullptr, nullptr, &subkeys, &max_subkey, nullptr,
                             &values, &max_name, nullptr, nullptr, nullptr);
  if (rc != ERROR_SUCCESS) return Win32Error("cannot query " + path, rc);
  std::vector<wchar_t> name(max_name + 2);
  for (DWORD i = 0; i < values; ++i) {
    DWORD len = static_cast<DWORD>(name.size());
    rc = RegEnumValueW(key, i, name.data(), &len, nullptr, nullptr, nullptr, nullptr);
    if (rc == ERROR_NO_MORE_ITEMS) break;
    if (rc != ERROR_SUCCESS) return Win32Error("cannot list values of " + path, rc);
    const std::wstring wname(name.data(), len);
    TM_ASSIGN_OR_RETURN(Value v, QueryValue(key, wname, path));
    if (v.absent()) continue;  // deleted meanwhile
    out.emplace_back(Resource::RegistryValue(host, path, WideToUtf8(wname)),
                     std::move(v));
  }
  std::vector<wchar_t> sub(max_subkey + 2);
  for (DWORD i = 0; i < subkeys; ++i) {
    DWORD len = static_cast<DWORD>(sub.size());
    rc = RegEnumKeyExW(key, i, sub.data(), &len, nullptr, nullptr, nullptr, nullptr);
    if (rc == ERROR_NO_MORE_ITEMS) break;
    if (rc != ERROR_SUCCESS) return Win32Error("cannot list subkeys of " + path, rc);
    HKEY child = nullptr;
    rc = RegOpenKeyExW(key, std::wstring(sub.data(), len).c_str(), 0, KEY_READ | kView, &child);
    if (rc == ERROR_FILE_NOT_FOUND) continue;
    if (rc == ERROR_ACCESS_DENIED) continue;  // e.g. HKLM\SECURITY: not ours to scan
    if (rc != ERROR_SUCCESS) return Win32Error("cannot open subkey of " + path, rc);
    KeyHandle owned(child);
    const std::string child_path = path + "\\" + WideToUtf8(std::wstring_view(sub.data(), len));
    TM_RETURN_IF_ERROR(Walk(host, child, child_path, out));
  }
  return Status::Ok();
}

Status CheckExpected(const Resource& r, const Value& expected, const Value& current) {
  if (current == expected) return Status::Ok();
  return Status::Conflict(r.Display() + ": expected " + expected.ToDisplay() + ", current " +
                          current.ToDisplay());
}

// After a change, the value as the registry now holds it must be `after`.
Status CheckReadBack(const Resource& r, const Value& after, const Value& now) {
  if (now == after) return Status::Ok();
  return Status::IoError(r.Display() + ": written " + after.ToDisplay() + " but reads back " +
                         now.ToDisplay());
}

// RegSetValueExW with the exact bytes. Windows adds a terminating NUL to a
// string value whose count leaves it out when the next character in memory is
// NUL; the data is copied with a non-NUL guard after it so that a string stored
// without its terminator stays so.
LONG SetExact(HKEY key, const std::wstring& name, const Value& v) {
  std::vector<BYTE> data(v.bytes.begin(), v.bytes.end());
  data.push_back(0xff);
  data.push_back(0xff);
  return RegSetValueExW(key, name.c_str(), 0, v.reg_type, data.data(),
                        static_cast<DWORD>(v.bytes.size()));
}

// Compare-and-set of one value on one open key handle: read, compare, write,
// read back. The key (with its parents) is created only when a value is set.
Status WriteValue(HKEY root, const std::wstring& sub, const Resource& r, const Value& expected,
                  const Value& after) {
  const std::wstring name = Utf8ToWide(r.name);
  TM_ASSIGN_OR_RETURN(KeyHandle key, OpenBelow(root, sub, KEY_QUERY_VALUE | KEY_SET_VALUE, r.path));
  Value current = Value::Absent();
  if (key.get()) {
    TM_ASSIGN_OR_RETURN(current, QueryValue(key.get(), name, r.Display()));
  }
  TM_RETURN_IF_ERROR(CheckExpected(r, expected, current));
  if (current == after) return Status::Ok();
  if (after.absent()) {
    const LONG rc = RegDeleteValueW(key.get(), name.c_str());
    if (rc != ERROR_SUCCESS) return Win32Error("cannot delete " + r.Display(), rc);
  } else {
    if (!key.get()) {
      HKEY h = nullptr;
      const LONG rc = RegCreateKeyExW(root, sub.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
                                      KEY_QUERY_VALUE | KEY_SET_VALUE | kView, nullptr, &h,
                                      nullptr);
      if (rc != ERROR_SUCCESS) return Win32Error("cannot create " + r.path, rc);
      key = KeyHandle(h);
    }
    const LONG rc = SetExact(key.get(), name, after);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot set " + r.Display(), rc);
  }
  TM_ASSIGN_OR_RETURN(Value now, QueryValue(key.get(), name, r.Display()));
  return CheckReadBack(r, after, now);
}

// Compare-and-set of a key: create it with its parents, or delete it (with
// everything below only when `recursive`), then check it is so.
Status WriteKey(HKEY root, const std::wstring& sub, const Resource& r, const Value& expected,
                const Value& after, bool recursive) {
  constexpr REGSAM kDeleteAccess = DELETE | KEY_ENUMERATE_SUB_KEYS | KEY_QUERY_VALUE | KEY_SET_VALUE;
  TM_ASSIGN_OR_RETURN(KeyHandle key, OpenBelow(root, sub, kDeleteAccess, r.path));
  const Value current = key.get() ? Value::Key() : Value::Absent();
  TM_RETURN_IF_ERROR(CheckExpected(r, expected, current));
  if (current == after) return Status::Ok();
  if (!after.absent()) {
    HKEY h = nullptr;
    const LONG rc = RegCreateKeyExW(root, sub.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
                                    KEY_QUERY_VALUE | kView, nullptr, &h, nullptr);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot create " + r.path, rc);
    RegCloseKey(h);
  } else {
    DWORD subkeys = 0, values = 0;
    LONG rc = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, &subkeys, nullptr, nullptr,
                               &values, nullptr, nullptr, nullptr, nullptr);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot query " + r.path, rc);
    if (subkeys != 0 || values != 0) {
      if (!recursive) {
        return Status::Conflict(r.Display() +
                                ": key has values or subkeys; refusing a non-recursive delete");
      }
      rc = RegDeleteTreeW(key.get(), nullptr);  // everything below, the key stays
      if (rc != ERROR_SUCCESS) return Win32Error("cannot delete below " + r.Display(), rc);
    }
    key = KeyHandle();
    rc = RegDeleteKeyExW(root, sub.c_str(), kView, 0);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot delete " + r.Display(), rc);
  }
  TM_ASSIGN_OR_RETURN(KeyHandle again, OpenBelow(root, sub, KEY_QUERY_VALUE, r.path));
  return CheckReadBack(r, after, again.get() ? Value::Key() : Value::Absent());
}

class NativeRegistryTarget final : public RegistryTarget {
 public:
  NativeRegistryTarget(std::string host, std::string machine)
      : RegistryTarget(std::move(host)), machine_(std::move(machine)) {}
  Result<Value> Read(const Resource& r) const override;
  Status Write(const Resource& r, const Value& expected, const Value& after,
               bool recursive) override;
  Result<std::vector<std::pair<Resource, Value>>> Enumerate(
      const std::string& key_path) const override;

 private:
  std::string machine_;  // whose registry: "" or this computer's name = local
};

}  // namespace

bool IsThisComputer(const std::string& host) {
  if (host.empty() || host == "." || EqualsIgnoreCase(host, "localhost")) return true;
  wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
  return GetComputerNameW(name, &len) &&
         EqualsIgnoreCase(WideToUtf8(std::wstring_view(name, len)), host);
}

std::unique_ptr<RegistryTarget> MakeNativeRegistryTarget(std::string host, std::string machine) {
  return std::make_unique<NativeRegistryTarget>(std::move(host), std::move(machine));
}

Result<Value> NativeRegistryTarget::Read(const Resource& r) const {
  TM_RETURN_IF_ERROR(CheckResource(r));
  return ReadCurrent(machine_, r);
}

Status NativeRegistryTarget::Write(const Resource& r, const Value& expected,
                                   const Value& after, bool recursive) {
  TM_RETURN_IF_ERROR(CheckWrite(r, expected, after));
  TM_ASSIGN_OR_RETURN(SplitKey split, Split(r.path));
  TM_ASSIGN_OR_RETURN(KeyHandle root, OpenRoot(machine_, split));
  if (r.kind == ResourceKind::kRegistryKey) {
    return WriteKey(root.get(), split.sub, r, expected, after, recursive);
  }
  return WriteValue(root.get(), split.sub, r, expected, after);
}

Result<std::vector<std::pair<Resource, Value>>> NativeRegistryTarget::Enumerate(
    const std::string& key_path) const {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(key_path));
  std::vector<std::pair<Resource, Value>> out;
  TM_ASSIGN_OR_RETURN(KeyHandle key, OpenKey(machine_, canonical, KEY_READ));
  if (!key.get()) return out;
  TM_RETURN_IF_ERROR(Walk(host(), key.get(), canonical, out));
  return out;
}

}  // namespace tidemark::targets

#endif  // _WIN32
