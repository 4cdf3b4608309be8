// MiniSite: a small real environment for engine and CLI tests — one host with
// a registry hive file (reg export format), a files root with a CRLF
// maintenance script, a process-backed service, and a Registry database
// (SQLite file, or a database on a test PostgreSQL server) with an
// OutflowServices table — plus its environment file and a Fingerprint of every
// target for byte-for-byte comparisons.
#pragma once

#include <filesystem>
#include <string>

namespace tidemark::testing {

class MiniSite {
 public:
  // `sql_connection` empty = a SQLite file under `dir`.
  explicit MiniSite(std::filesystem::path dir, std::string sql_connection = "");
  ~MiniSite();

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path env_path() const { return dir_ / "site.yaml"; }
  std::filesystem::path journal() const { return dir_ / "journal"; }
  // Writes a plan file under dir/plans and returns its path.
  std::filesystem::path WritePlan(const std::string& name, const std::string& yaml) const;
  // Canonical text of every target: registry values (type + bytes), every
  // table row, every file's SHA-256, every service's state and start type.
  std::string Fingerprint() const;
  // A plan touching every kind of target (registry value, new key, SQL cells
  // by key and by replace, a file replace, a service stop/start, an assert).
  static std::string FullPlan();
  // Stops the site's service processes.
  void StopServices() const;

 private:
  std::filesystem::path dir_;
  std::string sql_connection_;
};

}  // namespace tidemark::testing
