// TargetSet: the adapters of one environment, routed by resource — registry
// and files and services per host, SQL per database — with one Read/Write
// surface for the executor, rollback and drift. Adapters are created lazily.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/environment.h"
#include "engine/plan.h"
#include "engine/targets/file_target.h"
#include "engine/targets/registry_target.h"
#include "engine/targets/service_target.h"
#include "engine/targets/sql_target.h"
#include "snapshots/scan.h"
#include "store/status.h"

namespace tidemark::engine {

class TargetSet {
 public:
  explicit TargetSet(const Environment& env) : env_(env) {}

  // The live value (file: content hash + size). InvalidInput when the
  // environment cannot reach the resource.
  Result<Value> Read(const Resource& r);
  // File content, nullopt when the file does not exist.
  Result<std::optional<std::string>> ReadContent(const Resource& r);
  // Compare-and-set write (Conflict when the live value is not `expected`).
  // For files `content` carries the new bytes (after is their File value).
  Status Write(const Resource& r, const Value& expected, const Value& after,
               const std::optional<std::string>& content, bool recursive = false);

  Result<targets::RegistryTarget*> Registry(const std::string& host);
  Result<targets::FileTarget*> Files(const std::string& host);
  Result<targets::ServiceTarget*> Services(const std::string& host);
  Result<targets::SqlTarget*> Sql(const std::string& database);

  // Scans every watched resource into one image.
  Result<snapshots::ScanImage> Scan(const std::vector<WatchItem>& watch);

  const Environment& env() const { return env_; }

 private:
  Result<const HostConfig*> Host(const std::string& host);
  template <typename Target, typename Make>
  Result<Target*> Cached(std::map<std::string, std::unique_ptr<Target>>& cache,
                         const std::string& host, Make make);

  const Environment& env_;
  std::map<std::string, std::unique_ptr<targets::RegistryTarget>> registry_;
  std::map<std::string, std::unique_ptr<targets::FileTarget>> files_;
  std::map<std::string, std::unique_ptr<targets::ServiceTarget>> services_;
  std::map<std::string, std::unique_ptr<targets::SqlTarget>> sql_;
};

// True when `current` satisfies `desired`: equal, or for SQL rows every column
// given in `desired` has that value in `current` (a plan may name a subset).
bool Matches(const Value& current, const Value& desired);

}  // namespace tidemark::engine
