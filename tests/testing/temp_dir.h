// TempDir: a fresh directory under $TMPDIR (or /tmp) removed at destruction,
// the home of every real RocksDB, hive file, database and process in tests.
#pragma once

#include <filesystem>
#include <string>

namespace tidemark::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Reads a whole file (binary); empty string when missing.
std::string ReadFileBytes(const std::filesystem::path& p);
// Writes a whole file (binary), creating parent directories.
void WriteFileBytes(const std::filesystem::path& p, const std::string& bytes);

// Sets (or, with nullptr, removes) an environment variable of this process, on
// both systems (setenv/unsetenv, _putenv_s).
void SetEnvVar(const std::string& name, const char* value);

}  // namespace tidemark::testing
