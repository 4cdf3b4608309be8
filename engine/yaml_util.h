// Small helpers over yaml-cpp shared by the plan and environment parsers:
// positions as "file:line:column" and typed field access that returns
// InvalidInput instead of throwing.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>

#include "store/status.h"

namespace tidemark::engine {

class YamlContext {
 public:
  explicit YamlContext(std::string file) : file_(std::move(file)) {}
  // "file:line:column" of a node (1-based).
  std::string Where(const YAML::Node& n) const;
  Status Error(const YAML::Node& n, const std::string& message) const;
  // Fails on any key of the map `n` not in `allowed`.
  Status OnlyKeys(const YAML::Node& n, const std::set<std::string>& allowed,
                  const std::string& what) const;
  Result<std::string> String(const YAML::Node& map, const std::string& key, bool required) const;
  Result<bool> Bool(const YAML::Node& map, const std::string& key, bool fallback) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

// Parses YAML text; a syntax error becomes InvalidInput at file:line:column.
Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file);

}  // namespace tidemark::engine
