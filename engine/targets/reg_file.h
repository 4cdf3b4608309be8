// Hive: an in-memory registry read from / written to a `.reg` file, the text
// format Windows `reg export` / regedit and Wine's reg.exe produce and import.
//
// On-disk format (what Serialize writes; Parse also accepts UTF-8 and REGEDIT4):
//   UTF-16LE with BOM, CRLF line ends.
//   line 1: `Windows Registry Editor Version 5.00`, then a blank line
//   per key: `[HKEY_LOCAL_MACHINE\SOFTWARE\X]` (or `[-PATH]` = delete the key
//            and its subtree), then one line per value, then a blank line:
//     `@=...` (default value) or `"name"=...` (name escapes `\\`, `\"`), data:
//       `"text"`             REG_SZ (escapes `\\`, `\"`), one terminating NUL
//       `dword:0000abcd`     REG_DWORD, 8 hex digits
//       `hex:aa,bb,...`      REG_BINARY
//       `hex(N):aa,bb,...`   type N (hex): 0 none, 1 sz, 2 expand_sz, 7 multi_sz, b qword...
//       `-`                  delete this value
//     hex lists wrap at 80 columns: the line ends with `\`, the next starts with 2 spaces.
//   REGEDIT4 files are 8-bit; their hex(2)/hex(7) data is 8-bit text converted here to UTF-16LE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/status.h"
#include "store/value.h"

namespace tidemark::targets {

// Returns `path` with its root spelled out in capitals (HKLM → HKEY_LOCAL_MACHINE),
// the rest spelled as given, trailing backslashes removed. InvalidInput for an
// empty path or an unknown root.
Result<std::string> CanonicalKeyPath(std::string_view path);

// The comparison form of a key path: canonical root, ASCII lower-case, no
// trailing backslash. Two paths name the same key iff their folded forms are equal.
Result<std::string> FoldedKeyPath(std::string_view path);

// True when `path` (any spelling accepted by CanonicalKeyPath) is just a root key.
bool IsRootKeyPath(std::string_view path);

// One value line of a key. `value` is Value::Registry(type, raw bytes), or
// Value::Absent() for a deletion line `"name"=-`.
struct RegValue {
  std::string name;  // original spelling; "" = default value (`@`)
  Value value;
};

// One key section. A deleted key (`[-PATH]`) has no values.
struct RegKey {
  std::string path;  // full path, original spelling, no trailing backslash
  bool deleted = false;
  std::vector<RegValue> values;  // file order
};

// An ordered list of key sections with hash indexes for lookups. Keys and value
// names compare case-insensitively (ASCII fold) and keep their spelling.
// Invariants: at most one live (not deleted) section per key; a `[-K]` section
// (only ever read from a file: tidemark's own changes write none) precedes
// every live section at or under K (so importing the file into a real
// registry yields exactly the live sections). Not thread-safe.
class Hive {
 public:
  // Parses a .reg file's bytes: UTF-16LE (with BOM), or UTF-8 (BOM optional;
  // invalid UTF-8 is read as Latin-1), header `Windows Registry Editor Version
  // 5.00` or `REGEDIT4`. Sections for the same key are merged (later values
  // win); `[-K]` removes what came before at or under K. Errors are
  // InvalidInput "ORIGIN:LINE: expected ..., got ...".
  static Result<Hive> Parse(std::string_view bytes, const std::string& origin);
  // How many times Parse has run in this process (a statistic: tests assert
  // how often one change parses its hive). Thread-safe.
  static uint64_t ParseCount();

  // Reads and parses `file`. NotFound when it does not exist, IoError when it
  // cannot be read, InvalidInput (file:line) when it is malformed.
  static Result<Hive> Load(const std::filesystem::path& file);

  // The file bytes in the format Windows writes (see top of file).
  // InvalidInput if a name is not valid UTF-8 (cannot happen for parsed hives).
  Result<std::string> Serialize() const;

  // Writes Serialize() atomically: temp file in the same directory, fsync,
  // rename over `file`, fsync of the directory. IoError on failure, in which
  // case `file` is unchanged.
  Status Save(const std::filesystem::path& file) const;

  const std::vector<RegKey>& keys() const { return keys_; }

  // The live section for `path`, or nullptr. Any accepted spelling of `path`.
  const RegKey* FindKey(std::string_view path) const;

  // True for a root, a key with a live section, or a key implied by a live
  // section below it (importing `[A\B\C]` creates A\B).
  bool KeyExists(std::string_view path) const;

  // The value (Registry), or Absent when the key or value does not exist or
  // the file deletes it (`"name"=-`).
  Value GetValue(std::string_view path, std::string_view name) const;

  // True when the key has a live value or a live key below it.
  bool KeyHasContent(std::string_view path) const;

  // Sets a value (must be kind Registry), creating the key and missing parents.
  // InvalidInput for a bad path or a non-registry value.
  Status SetValue(std::string_view path, std::string_view name, const Value& value);

  // Removes an existing value from its key, as `reg export` would show the
  // registry after the deletion (no `"name"=-` line). No-op when it is absent.
  Status DeleteValue(std::string_view path, std::string_view name);

  // Creates the key (and missing parents below the root), each section where
  // `reg export` puts it: after its parent, among its siblings by name. No-op
  // when it exists.
  Status CreateKey(std::string_view path);

  // Removes the key and everything under it (no `[-PATH]` line: the file is
  // the registry as `reg export` writes it). InvalidInput for a root.
  Status DeleteKey(std::string_view path);

 private:
  friend class RegFileParser;

  // Live section index for a folded path, or npos.
  size_t LiveIndex(const std::string& folded) const;
  // Appends a live section (path as spelled, folded form), returns its index.
  size_t AppendLive(std::string path, std::string folded);
  // Inserts a live section where `reg export` order puts it, returns its index.
  size_t InsertLive(std::string path, std::string folded);
  // Where a new section for `folded` goes: among the sections of its nearest
  // ancestor that has any, in `reg export` order; else at the end.
  size_t InsertionPoint(const std::string& folded) const;
  // Ensures a live section exists for `path`, adding sections for missing
  // parents below the root; returns its index.
  Result<size_t> EnsureKey(std::string_view path);
  // Removes every section at or under `folded`; with `mark` (a `[-path]` line
  // read from a file) puts one `[-path]` where the first removed one was (or
  // at the end).
  void RemoveSubtree(const std::string& folded, std::string path, bool mark);
  // Sets (or adds at the end) a value of section `index`; Absent = deletion line.
  void SetValueAt(size_t index, std::string_view name, Value value);
  void RebuildLiveIndex();

  std::vector<RegKey> keys_;  // file order
  std::vector<std::string> folded_;  // parallel to keys_: FoldedKeyPath of each
  std::vector<std::unordered_map<std::string, size_t>> value_index_;  // parallel: folded name → position
  std::unordered_map<std::string, size_t> live_;  // folded path → index of its live section
};

}  // namespace tidemark::targets
