// MiniSite: a small real environment for engine and CLI tests — one host with
// a registry hive file (reg export format), a files root with a CRLF
// maintenance script, a process-backed service (Linux only: the process
// backend runs /bin/sleep; see HasServices), and a Registry database
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
  // by key and by replace, a file replace, a service stop/start, an assert;
  // no service actions where the site has no services).
  static std::string FullPlan();
  // Whether the site has its service Agent: true on Linux; false on Windows,
  // where the site, its environment file and FullPlan have no services.
  static bool HasServices();
  // Stops the site's service processes (none on Windows).
  void StopServices() const;

 private:
  // Creates and starts the service Agent (mini_site_services_*.cc).
  void StartServices() const;

  std::filesystem::path dir_;
  std::string sql_connection_;
};

}  // namespace tidemark::testing
