// FieldParser: reads the fields of a plan (plans/FORMAT.md) — ${parameter}
// substitution, SQL and registry values, key maps — and checks the hosts and
// databases they name against the environment. Errors are InvalidInput at
// file:line:column.
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "engine/environment.h"
#include "engine/yaml_util.h"
#include "store/status.h"
#include "store/value.h"

namespace tidemark::engine {

// What a host must offer for an action or watch entry.
enum class Facility { kRegistry, kFiles, kServices };

class FieldParser {
 public:
  FieldParser(YamlContext ctx, const Environment& env) : ctx_(std::move(ctx)), env_(env) {}

  const YamlContext& ctx() const { return ctx_; }
  // Bound parameters (name → value) that ${name} expands to.
  std::map<std::string, std::string>& params() { return params_; }

  // ${name} substitution; `$${` stays a literal `${`.
  Result<std::string> Expand(const YAML::Node& node, const std::string& s) const;
  // The text field `key` of `map`, expanded ("" when absent and not required).
  Result<std::string> Text(const YAML::Node& map, const std::string& key, bool required) const;
  // A list of texts, each expanded; `what` names the field in errors.
  Result<std::vector<std::string>> TextList(const YAML::Node& list, const std::string& what) const;
  // A SQL value: plain integers/floats/null typed, quoted text, {hex: ...} binary.
  Result<Value> SqlValue(const YAML::Node& n) const;
  // A registry value of the type named `type_name` ("" = REG_SZ); `action`
  // is the mapping holding `type` and `value` (for error positions).
  Result<Value> RegistryValue(const YAML::Node& action, const YAML::Node& v,
                              const std::string& type_name) const;
  // A mapping of column: SQL value.
  Result<std::vector<KeyPart>> KeyMap(const YAML::Node& map, const std::string& field,
                                      bool required) const;
  Result<uint64_t> Unsigned(const YAML::Node& n, const std::string& s, uint64_t max) const;

  // Environment checks; without an environment (plan check with no --env)
  // they pass, so only the plan itself is checked.
  Status NeedHost(const YAML::Node& n, const std::string& host, Facility facility) const;
  Status NeedDatabase(const YAML::Node& n, const std::string& db) const;
  // Syntax checks of Windows addresses.
  Status CheckRegistryKey(const YAML::Node& n, const std::string& key) const;
  Status CheckWindowsPath(const YAML::Node& n, const std::string& path) const;

 private:
  Result<std::string> HexBytes(const YAML::Node& n, const std::string& hex) const;

  YamlContext ctx_;
  const Environment& env_;
  std::map<std::string, std::string> params_;
};

// Parses a registry type name ("REG_SZ", "REG_DWORD", ...) into its number.
std::optional<uint32_t> ParseRegType(const std::string& name);

}  // namespace tidemark::engine
