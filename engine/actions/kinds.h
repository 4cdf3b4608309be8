// The behaviour each action kind defines in its family's file: parse and
// validate its YAML fields, name its resource, and (mutating kinds) expand to
// resource changes. Dispatch is by overload on the kind's type (std::visit);
// action_parser.cc, action.cc and action_expander.cc are the only callers.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>

#include "engine/action_expander.h"
#include "engine/actions/action.h"
#include "engine/actions/field_parser.h"

namespace tidemark::engine {

// Parse(p, fields, out): checks the allowed keys of `fields` and fills `out`.
Status Parse(const FieldParser& p, const YAML::Node& fields, RegistrySet& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, RegistryReplace& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, RegistryDelete& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, RegistryCreateKey& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, RegistryDeleteKey& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, SqlUpdate& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, SqlReplace& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, SqlInsert& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, SqlDelete& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, FileReplace& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, FileWrite& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, ServiceStop& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, ServiceStart& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, ServicePause& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, ServiceSetStartType& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, TakeCheckpoint& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, Exec& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, Manual& out);
Status Parse(const FieldParser& p, const YAML::Node& fields, Assert& out);

// ResourceOf(a): the one resource the action is about, if it has one.
std::optional<Resource> ResourceOf(const RegistrySet& a);
std::optional<Resource> ResourceOf(const RegistryReplace& a);
std::optional<Resource> ResourceOf(const RegistryDelete& a);
std::optional<Resource> ResourceOf(const RegistryCreateKey& a);
std::optional<Resource> ResourceOf(const RegistryDeleteKey& a);
std::optional<Resource> ResourceOf(const SqlUpdate& a);
std::optional<Resource> ResourceOf(const SqlReplace& a);
std::optional<Resource> ResourceOf(const SqlInsert& a);
std::optional<Resource> ResourceOf(const SqlDelete& a);
std::optional<Resource> ResourceOf(const FileReplace& a);
std::optional<Resource> ResourceOf(const FileWrite& a);
std::optional<Resource> ResourceOf(const ServiceStop& a);
std::optional<Resource> ResourceOf(const ServiceStart& a);
std::optional<Resource> ResourceOf(const ServicePause& a);
std::optional<Resource> ResourceOf(const ServiceSetStartType& a);
std::optional<Resource> ResourceOf(const TakeCheckpoint& a);
std::optional<Resource> ResourceOf(const Exec& a);
std::optional<Resource> ResourceOf(const Manual& a);
std::optional<Resource> ResourceOf(const Assert& a);

// Expand(a, ctx): the changes a mutating kind makes, added to `ctx`.
Status Expand(const RegistrySet& a, ExpandContext& ctx);
Status Expand(const RegistryReplace& a, ExpandContext& ctx);
Status Expand(const RegistryDelete& a, ExpandContext& ctx);
Status Expand(const RegistryCreateKey& a, ExpandContext& ctx);
Status Expand(const RegistryDeleteKey& a, ExpandContext& ctx);
Status Expand(const SqlUpdate& a, ExpandContext& ctx);
Status Expand(const SqlReplace& a, ExpandContext& ctx);
Status Expand(const SqlInsert& a, ExpandContext& ctx);
Status Expand(const SqlDelete& a, ExpandContext& ctx);
Status Expand(const FileReplace& a, ExpandContext& ctx);
Status Expand(const FileWrite& a, ExpandContext& ctx);
Status Expand(const ServiceStop& a, ExpandContext& ctx);
Status Expand(const ServiceStart& a, ExpandContext& ctx);
Status Expand(const ServicePause& a, ExpandContext& ctx);
Status Expand(const ServiceSetStartType& a, ExpandContext& ctx);

// Describe(a): the dry-run line of a kind that is not shown as changes.
std::string Describe(const TakeCheckpoint& a);
std::string Describe(const Exec& a);
std::string Describe(const Manual& a);
std::string Describe(const Assert& a);

// The error of a registry.set on a key that does not exist (without
// create_key): names the nearest key that does.
Status MissingKeyError(const std::string& host, const std::string& key,
                       const std::string& nearest);

// Checks an assert against the live value (`current` receives it): the
// failure ("expected ..., found ...") or "" when it holds.
Result<std::string> Check(const Assert& a, bool secret, TargetSet& targets, Value& current);

}  // namespace tidemark::engine
