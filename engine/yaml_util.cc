// yaml-cpp wrappers: every yaml-cpp exception stops here.
#include "engine/yaml_util.h"

namespace tidemark::engine {

std::string YamlContext::Where(const YAML::Node& n) const {
  const YAML::Mark m = n.Mark();
  if (m.is_null()) return file_;
  return file_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Status YamlContext::Error(const YAML::Node& n, const std::string& message) const {
  return Status::InvalidInput(Where(n) + ": " + message);
}

Status YamlContext::OnlyKeys(const YAML::Node& n, const std::set<std::string>& allowed,
                             const std::string& what) const {
  if (!n.IsMap()) return Error(n, what + " must be a mapping");
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    if (!allowed.count(key)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      return Error(kv.first, "unknown field '" + key + "' in " + what + " (expected one of: " +
                                 list + ")");
    }
  }
  return Status::Ok();
}

Result<std::string> YamlContext::String(const YAML::Node& map, const std::string& key,
                                        bool required) const {
  const YAML::Node v = map[key];
  if (!v) {
    if (required) return Error(map, "missing required field '" + key + "'");
    return std::string();
  }
  if (!v.IsScalar()) return Error(v, "field '" + key + "' must be a text value");
  return v.Scalar();
}

Result<bool> YamlContext::Bool(const YAML::Node& map, const std::string& key,
                               bool fallback) const {
  const YAML::Node v = map[key];
  if (!v) return fallback;
  if (v.IsScalar()) {
    const std::string& s = v.Scalar();
    if (s == "true" || s == "yes") return true;
    if (s == "false" || s == "no") return false;
  }
  return Error(v, "field '" + key + "' must be true or false");
}

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return Status::InvalidInput(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

}  // namespace tidemark::engine
