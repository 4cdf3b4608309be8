// RegistryTarget on Windows: the same interface as registry_target.h backed by
// the native registry through advapi32 (Reg*W functions, 64-bit view).
// NOT COMPILED on Linux (the CMake glob excludes *_win32.cc) and not tested
// here: it is kept complete and plausible for the Windows build. The
// `hive_file` constructor argument is ignored; a host other than this machine
// is reached with RegConnectRegistryW (HKLM and HKU only, as Windows allows).
#ifdef _WIN32

#include <windows.h>

#include <string>
#include <vector>

#include "engine/targets/reg_file.h"
#include "engine/targets/registry_target.h"
#include "store/unicode.h"

namespace tidemark::targets {
namespace {

// Paths in resources name Wow6432Node explicitly: never let WOW64 redirect.
constexpr REGSAM kView = KEY_WOW64_64KEY;

std::wstring ToWide(const std::string& utf8) {
  if (utf8.empty()) return std::wstring();
  const int n = MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()),
                                    nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string ToUtf8(const wchar_t* s, size_t len) {
  if (len == 0) return std::string();
  const int n = WideCharToMultiByte(CP_UTF8, 0, s, static_cast<int>(len), nullptr, 0, nullptr,
                                    nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, s, static_cast<int>(len), out.data(), n, nullptr, nullptr);
  return out;
}

Status Win32Error(const std::string& what, LONG rc) {
  wchar_t* text = nullptr;
  FormatMessageW(FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM |
                     FORMAT_MESSAGE_IGNORE_INSERTS,
                 nullptr, static_cast<DWORD>(rc), 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = text ? ToUtf8(text, wcslen(text)) : "error " + std::to_string(rc);
  if (text) LocalFree(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
  if (rc == ERROR_ACCESS_DENIED) return Status::Failed(what + ": " + message);
  return Status::IoError(what + ": " + message);
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
  out.sub = sep == std::string::npos ? std::wstring() : ToWide(canonical.substr(sep + 1));
  if (out.root_name == "HKEY_LOCAL_MACHINE") out.root = HKEY_LOCAL_MACHINE;
  else if (out.root_name == "HKEY_CURRENT_USER") out.root = HKEY_CURRENT_USER;
  else if (out.root_name == "HKEY_CLASSES_ROOT") out.root = HKEY_CLASSES_ROOT;
  else if (out.root_name == "HKEY_USERS") out.root = HKEY_USERS;
  else out.root = HKEY_CURRENT_CONFIG;
  return out;
}

bool IsLocalHost(const std::string& host) {
  if (host.empty() || host == "." || EqualsIgnoreCase(host, "localhost")) return true;
  wchar_t name[MAX_COMPUTERNAME_LENGTH + 1];
  DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
  return GetComputerNameW(name, &len) && EqualsIgnoreCase(ToUtf8(name, len), host);
}

// The root key on `host`: the predefined handle locally, a remote connection otherwise.
Result<KeyHandle> OpenRoot(const std::string& host, const SplitKey& key) {
  if (IsLocalHost(host)) return KeyHandle(key.root, /*owned=*/false);
  HKEY remote = nullptr;
  const LONG rc = RegConnectRegistryW(ToWide("\\\\" + host).c_str(), key.root, &remote);
  if (rc != ERROR_SUCCESS) return Win32Error("cannot connect to the registry of " + host, rc);
  return KeyHandle(remote);
}

// Opens an existing key; an absent key is an empty KeyHandle, not an error.
Result<KeyHandle> OpenKey(const std::string& host, const std::string& path, REGSAM access) {
  TM_ASSIGN_OR_RETURN(SplitKey split, Split(path));
  TM_ASSIGN_OR_RETURN(KeyHandle root, OpenRoot(host, split));
  HKEY h = nullptr;
  const LONG rc = RegOpenKeyExW(root.get(), split.sub.c_str(), 0, access | kView, &h);
  if (rc == ERROR_FILE_NOT_FOUND) return KeyHandle();
  if (rc != ERROR_SUCCESS) return Win32Error("cannot open " + path, rc);
  return KeyHandle(h);
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
  return QueryValue(key.get(), ToWide(r.name), r.Display());
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
    out.emplace_back(Resource::RegistryValue(host, path, ToUtf8(wname.data(), wname.size())),
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
    TM_RETURN_IF_ERROR(Walk(host, child, path + "\\" + ToUtf8(sub.data(), len), out));
  }
  return Status::Ok();
}

}  // namespace

RegistryTarget::RegistryTarget(std::string host, std::filesystem::path hive_file)
    : host_(std::move(host)), hive_file_(std::move(hive_file)) {}

Status RegistryTarget::CheckResource(const Resource& r) const {
  if (r.kind != ResourceKind::kRegistryValue && r.kind != ResourceKind::kRegistryKey) {
    return Status::InvalidInput("registry target of " + host_ + " cannot handle " +
                                ResourceKindName(r.kind) + " resource " + r.Display());
  }
  if (!EqualsIgnoreCase(r.host, host_)) {
    return Status::InvalidInput("resource " + r.Display() + " is on host '" + r.host +
                                "', this registry target is for '" + host_ + "'");
  }
  auto canonical = CanonicalKeyPath(r.path);
  if (!canonical.ok()) return canonical.status().Prefix(r.Display());
  return Status::Ok();
}

Result<Value> RegistryTarget::Read(const Resource& r) const {
  TM_RETURN_IF_ERROR(CheckResource(r));
  return ReadCurrent(host_, r);
}

// The native registry has no compare-and-set: the check and the change are two
// calls, so a concurrent writer between them is not detected (as with a hive file).
Status RegistryTarget::Write(const Resource& r, const Value& expected, const Value& after,
                             bool recursive) {
  TM_RETURN_IF_ERROR(CheckResource(r));
  const bool is_key = r.kind == ResourceKind::kRegistryKey;
  const ValueType present = is_key ? ValueType::kKey : ValueType::kRegistry;
  for (const Value* v : {&expected, &after}) {
    if (!v->absent() && v->type != present) {
      return Status::InvalidInput(std::string("expected a ") + ValueTypeName(present) +
                                  " or absent value for " + r.Display() + ", got " +
                                  ValueTypeName(v->type) + " " + v->ToDisplay());
    }
  }
  if (is_key && after.absent() && IsRootKeyPath(r.path)) {
    return Status::InvalidInput("refusing to delete registry root " + r.Display());
  }
  TM_ASSIGN_OR_RETURN(Value current, ReadCurrent(host_, r));
  if (current != expected) {
    return Status::Conflict(r.Display() + ": expected " + expected.ToDisplay() + ", current " +
                            current.ToDisplay());
  }
  if (current == after) return Status::Ok();
  TM_ASSIGN_OR_RETURN(SplitKey split, Split(r.path));
  TM_ASSIGN_OR_RETURN(KeyHandle root, OpenRoot(host_, split));

  if (!is_key && after.absent()) {
    TM_ASSIGN_OR_RETURN(KeyHandle key, OpenKey(host_, r.path, KEY_SET_VALUE));
    if (!key.get()) return Status::Ok();
    const LONG rc = RegDeleteValueW(key.get(), ToWide(r.name).c_str());
    if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) {
      return Win32Error("cannot delete " + r.Display(), rc);
    }
    return Status::Ok();
  }
  if (!after.absent()) {  // set a value or create a key: RegCreateKeyExW makes parents
    HKEY h = nullptr;
    LONG rc = RegCreateKeyExW(root.get(), split.sub.c_str(), 0, nullptr, REG_OPTION_NON_VOLATILE,
                              KEY_SET_VALUE | kView, nullptr, &h, nullptr);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot create " + r.path, rc);
    KeyHandle key(h);
    if (is_key) return Status::Ok();
    rc = RegSetValueExW(key.get(), ToWide(r.name).c_str(), 0, after.reg_type,
                        reinterpret_cast<const BYTE*>(after.bytes.data()),
                        static_cast<DWORD>(after.bytes.size()));
    if (rc != ERROR_SUCCESS) return Win32Error("cannot set " + r.Display(), rc);
    return Status::Ok();
  }
  // Delete a key.
  {
    TM_ASSIGN_OR_RETURN(KeyHandle key, OpenKey(host_, r.path, KEY_READ));
    if (!key.get()) return Status::Ok();
    DWORD subkeys = 0, values = 0;
    const LONG rc = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, &subkeys, nullptr,
                                     nullptr, &values, nullptr, nullptr, nullptr, nullptr);
    if (rc != ERROR_SUCCESS) return Win32Error("cannot query " + r.path, rc);
    if (!recursive && (subkeys != 0 || values != 0)) {
      return Status::Conflict(r.Display() +
                              ": key has values or subkeys; refusing a non-recursive delete");
    }
  }
  const LONG rc = recursive ? RegDeleteTreeW(root.get(), split.sub.c_str())
                            : RegDeleteKeyExW(root.get(), split.sub.c_str(), kView, 0);
  if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) {
    return Win32Error("cannot delete " + r.Display(), rc);
  }
  // RegDeleteTreeW with a subkey name removes the key itself as well.
  return Status::Ok();
}

Result<std::vector<std::pair<Resource, Value>>> RegistryTarget::Enumerate(
    const std::string& key_path) const {
  TM_ASSIGN_OR_RETURN(std::string canonical, CanonicalKeyPath(key_path));
  std::vector<std::pair<Resource, Value>> out;
  TM_ASSIGN_OR_RETURN(KeyHandle key, OpenKey(host_, canonical, KEY_READ));
  if (!key.get()) return out;
  TM_RETURN_IF_ERROR(Walk(host_, key.get(), canonical, out));
  return out;
}

}  // namespace tidemark::targets

#endif  // _WIN32
